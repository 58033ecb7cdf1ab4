/// `POST /v1/text-to-image` request, field for field as in the subnet's public API.
public struct TextToImageRequest: GenerationRequest {
    public var prompt: String
    public var negativePrompt: String
    public var steps: Int
    public var cfgScale: Double
    public var width: Int
    public var height: Int
    public var model: String
    /// Assigned by the validator from its seed block; a caller's value is ignored.
    public var seed: UInt64?

    public init(prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3, width: Int = 1024,
                height: Int = 1024, model: String, seed: UInt64? = nil) {
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
    }
}
