/// `POST /v1/scribble` request: a prompt, the scribble as `init_image` (light strokes on a dark ground) and the generation fields.
package struct ScribbleRequest: GenerationRequest {
    package var generation: GenerationFields
    /// The scribble, base64 PNG or JPEG: light strokes on a dark background.
    package var initImage: String

    package init(initImage: String, prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3,
                width: Int = 1024, height: Int = 1024, model: String, seed: UInt64? = nil) {
        self.initImage = initImage
        generation = GenerationFields(prompt: prompt, negativePrompt: negativePrompt, steps: steps, cfgScale: cfgScale,
                                      width: width, height: height, model: model, seed: seed)
    }

    enum CodingKeys: String, CodingKey {
        case initImage = "init_image"
    }

    package init(from decoder: any Decoder) throws {
        generation = try GenerationFields(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initImage = try c.decode(String.self, forKey: .initImage)
    }

    package func encode(to encoder: any Encoder) throws {
        try generation.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(initImage, forKey: .initImage)
    }
}
