/// The eight fields every generation request carries, with the public API's defaults.
///
/// They are coded straight into the request's own JSON object (no nesting), so a request's JSON
/// stays flat: `{"prompt": …, "negative_prompt": …, "init_image": …}`.
package struct GenerationFields: Codable, Sendable, Hashable {
    package var prompt: String
    package var negativePrompt: String
    package var steps: Int
    package var cfgScale: Double
    package var width: Int
    package var height: Int
    package var model: String
    /// Assigned by the validator from its seed block; a caller's value is ignored.
    package var seed: UInt64?

    package init(prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3, width: Int = 1024,
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

    /// Reads the fields from the request's keyed container; absent optional fields take the defaults.
    package init(from decoder: any Decoder) throws {
        try self.init(from: decoder, defaultModel: nil)
    }

    /// As ``init(from:)``, with `defaultModel` for a request that may omit `model` (nil: required).
    init(from decoder: any Decoder, defaultModel: String?) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try c.decode(String.self, forKey: .prompt)
        negativePrompt = try c.decodeIfPresent(String.self, forKey: .negativePrompt) ?? ""
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? 10
        cfgScale = try c.decodeIfPresent(Double.self, forKey: .cfgScale) ?? 3
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? 1024
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? 1024
        if let defaultModel {
            model = try c.decodeIfPresent(String.self, forKey: .model) ?? defaultModel
        } else {
            model = try c.decode(String.self, forKey: .model)
        }
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
    }

    /// Writes the fields into the request's keyed container; `seed` is left out while unassigned.
    package func encode(to encoder: any Encoder) throws {
        try encode(to: encoder, omitting: [])
    }

    /// Writes the fields except `omitted` ones (a miner format without `model` or `cfg_scale`).
    func encode(to encoder: any Encoder, omitting omitted: Set<CodingKeys>) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(prompt, forKey: .prompt)
        try c.encode(negativePrompt, forKey: .negativePrompt)
        try c.encode(steps, forKey: .steps)
        if !omitted.contains(.cfgScale) { try c.encode(cfgScale, forKey: .cfgScale) }
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        if !omitted.contains(.model) { try c.encode(model, forKey: .model) }
        try c.encodeIfPresent(seed, forKey: .seed)
    }
}
