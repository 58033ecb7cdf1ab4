/// `POST /v1/inpaint` request: the text-to-image fields plus `init_image` and `mask`; only masked pixels change.
public struct InpaintRequest: GenerationRequest {
    public var prompt: String
    public var negativePrompt: String
    public var steps: Int
    public var cfgScale: Double
    public var width: Int
    public var height: Int
    public var model: String
    /// The starting picture, base64 PNG or JPEG.
    public var initImage: String
    /// Where to repaint, base64 PNG or JPEG of any size (scaled to the image): light pixels are repainted.
    public var mask: String
    /// How far to move away from `init_image`: 0 keeps it, 1 ignores it.
    public var imageStrength: Double

    /// Assigned by the validator from its seed block; a caller's value is ignored.
    public var seed: UInt64?

    public init(initImage: String, mask: String, imageStrength: Double = 1, prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3,
                width: Int = 1024, height: Int = 1024, model: String, seed: UInt64? = nil) {
        self.initImage = initImage
        self.mask = mask
        self.imageStrength = imageStrength
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.steps = steps
        self.cfgScale = cfgScale
        self.width = width
        self.height = height
        self.model = model
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case prompt, steps, width, height, model, seed
        case negativePrompt = "negative_prompt"
        case cfgScale = "cfg_scale"
        case initImage = "init_image"
        case mask
        case imageStrength = "image_strength"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try c.decode(String.self, forKey: .prompt)
        negativePrompt = try c.decodeIfPresent(String.self, forKey: .negativePrompt) ?? ""
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? 10
        cfgScale = try c.decodeIfPresent(Double.self, forKey: .cfgScale) ?? 3
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? 1024
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? 1024
        model = try c.decode(String.self, forKey: .model)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        initImage = try c.decode(String.self, forKey: .initImage)
        mask = try c.decode(String.self, forKey: .mask)
        imageStrength = try c.decodeIfPresent(Double.self, forKey: .imageStrength) ?? 1
    }
}
