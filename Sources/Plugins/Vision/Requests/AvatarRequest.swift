/// `POST /v1/avatar` request: a portrait from a face picture (`init_image`) and a prompt.
///
/// Field for field as Subnet 19's public API: the generation fields without `model` (the task is
/// `avatar`), plus `ipadapter_strength` and `control_strength` (how closely the face is kept).
/// Miners in the nineteen format receive no `cfg_scale`.
package struct AvatarRequest: GenerationRequest {
    package var generation: GenerationFields
    /// The face picture, base64 PNG or JPEG.
    package var initImage: String
    /// How strongly the face's identity is kept, in (0, 1].
    package var ipadapterStrength: Double
    /// How strongly the face's pose and outline are kept, in (0, 1].
    package var controlStrength: Double
    /// How this request is written for miners; set by the endpoint, read back from a missing `cfg_scale`.
    package var wireFormat: MinerWireFormat = .organic

    package init(initImage: String, prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3,
                width: Int = 1024, height: Int = 1024, ipadapterStrength: Double = 0.5, controlStrength: Double = 0.5, seed: UInt64? = nil) {
        self.initImage = initImage
        self.ipadapterStrength = ipadapterStrength
        self.controlStrength = controlStrength
        generation = GenerationFields(prompt: prompt, negativePrompt: negativePrompt, steps: steps, cfgScale: cfgScale,
                                      width: width, height: height, model: NineteenTask.avatar, seed: seed)
    }

    enum CodingKeys: String, CodingKey {
        case initImage = "init_image"
        case ipadapterStrength = "ipadapter_strength"
        case controlStrength = "control_strength"
        case cfgScale = "cfg_scale"
    }

    package init(from decoder: any Decoder) throws {
        generation = try GenerationFields(from: decoder, defaultModel: NineteenTask.avatar)
        generation.model = NineteenTask.avatar
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initImage = try c.decode(String.self, forKey: .initImage)
        ipadapterStrength = try c.decodeIfPresent(Double.self, forKey: .ipadapterStrength) ?? 0.5
        controlStrength = try c.decodeIfPresent(Double.self, forKey: .controlStrength) ?? 0.5
        if !c.contains(.cfgScale) { wireFormat = .nineteen }
    }

    package func encode(to encoder: any Encoder) throws {
        try generation.encode(to: encoder, omitting: wireFormat == .nineteen ? [.model, .cfgScale] : [.model])
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(initImage, forKey: .initImage)
        try c.encode(ipadapterStrength, forKey: .ipadapterStrength)
        try c.encode(controlStrength, forKey: .controlStrength)
    }
}
