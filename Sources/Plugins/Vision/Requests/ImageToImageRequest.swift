/// `POST /v1/image-to-image` request: the text-to-image fields plus `init_image` and `image_strength`.
package struct ImageToImageRequest: GenerationRequest {
    package var generation: GenerationFields
    /// The starting picture, base64 PNG or JPEG.
    package var initImage: String
    /// How far to move away from `init_image`: 0 keeps it, 1 ignores it.
    package var imageStrength: Double

    package init(initImage: String, imageStrength: Double = 0.5, prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3,
                width: Int = 1024, height: Int = 1024, model: String, seed: UInt64? = nil) {
        self.initImage = initImage
        self.imageStrength = imageStrength
        generation = GenerationFields(prompt: prompt, negativePrompt: negativePrompt, steps: steps, cfgScale: cfgScale,
                                      width: width, height: height, model: model, seed: seed)
    }

    enum CodingKeys: String, CodingKey {
        case initImage = "init_image"
        case imageStrength = "image_strength"
    }

    package init(from decoder: any Decoder) throws {
        generation = try GenerationFields(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initImage = try c.decode(String.self, forKey: .initImage)
        imageStrength = try c.decodeIfPresent(Double.self, forKey: .imageStrength) ?? 0.5
    }

    package func encode(to encoder: any Encoder) throws {
        try generation.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(initImage, forKey: .initImage)
        try c.encode(imageStrength, forKey: .imageStrength)
    }
}
