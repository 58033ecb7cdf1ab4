/// `POST /v1/inpaint` request: the text-to-image fields plus `init_image` and `mask`; only masked pixels change.
public struct InpaintRequest: GenerationRequest {
    public var generation: GenerationFields
    /// The starting picture, base64 PNG or JPEG.
    public var initImage: String
    /// Where to repaint, base64 PNG or JPEG of any size (scaled to the image): light pixels are repainted.
    public var mask: String
    /// How far to move away from `init_image`: 0 keeps it, 1 ignores it.
    public var imageStrength: Double

    public init(initImage: String, mask: String, imageStrength: Double = 1, prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3,
                width: Int = 1024, height: Int = 1024, model: String, seed: UInt64? = nil) {
        self.initImage = initImage
        self.mask = mask
        self.imageStrength = imageStrength
        generation = GenerationFields(prompt: prompt, negativePrompt: negativePrompt, steps: steps, cfgScale: cfgScale,
                                      width: width, height: height, model: model, seed: seed)
    }

    enum CodingKeys: String, CodingKey {
        case initImage = "init_image"
        case mask
        case imageStrength = "image_strength"
    }

    public init(from decoder: any Decoder) throws {
        generation = try GenerationFields(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initImage = try c.decode(String.self, forKey: .initImage)
        mask = try c.decode(String.self, forKey: .mask)
        imageStrength = try c.decodeIfPresent(Double.self, forKey: .imageStrength) ?? 1
    }

    public func encode(to encoder: any Encoder) throws {
        try generation.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(initImage, forKey: .initImage)
        try c.encode(mask, forKey: .mask)
        try c.encode(imageStrength, forKey: .imageStrength)
    }
}
