/// `POST /v1/inpaint` request: the text-to-image fields plus `init_image` and `mask`; only masked pixels change.
///
/// `model` may be omitted (Subnet 19's clients send none): the request is then for the `inpaint`
/// task and its ranges. Miners in the nineteen format receive `mask_image`, no `model` and no
/// `image_strength`; callers may send `mask_image` too.
package struct InpaintRequest: GenerationRequest {
    package var generation: GenerationFields
    /// The starting picture, base64 PNG or JPEG.
    package var initImage: String
    /// Where to repaint, base64 PNG or JPEG of any size (scaled to the image): light pixels are repainted.
    package var mask: String
    /// How far to move away from `init_image`: 0 keeps it, 1 ignores it.
    package var imageStrength: Double
    /// How this request is written for miners; set by the endpoint, read back from `mask_image`.
    package var wireFormat: MinerWireFormat = .organic

    package init(initImage: String, mask: String, imageStrength: Double = 1, prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3,
                width: Int = 1024, height: Int = 1024, model: String = "inpaint", seed: UInt64? = nil) {
        self.initImage = initImage
        self.mask = mask
        self.imageStrength = imageStrength
        generation = GenerationFields(prompt: prompt, negativePrompt: negativePrompt, steps: steps, cfgScale: cfgScale,
                                      width: width, height: height, model: model, seed: seed)
    }

    enum CodingKeys: String, CodingKey {
        case initImage = "init_image"
        case mask
        case maskImage = "mask_image"
        case imageStrength = "image_strength"
    }

    package init(from decoder: any Decoder) throws {
        generation = try GenerationFields(from: decoder, defaultModel: NineteenTask.inpaint)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initImage = try c.decode(String.self, forKey: .initImage)
        if let nineteen = try c.decodeIfPresent(String.self, forKey: .maskImage) {
            mask = nineteen
            wireFormat = .nineteen
        } else {
            mask = try c.decode(String.self, forKey: .mask)
        }
        imageStrength = try c.decodeIfPresent(Double.self, forKey: .imageStrength) ?? 1
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(initImage, forKey: .initImage)
        switch wireFormat {
        case .organic:
            try generation.encode(to: encoder)
            try c.encode(mask, forKey: .mask)
            try c.encode(imageStrength, forKey: .imageStrength)
        case .nineteen:
            try generation.encode(to: encoder, omitting: [.model])
            try c.encode(mask, forKey: .maskImage)
        }
    }
}
