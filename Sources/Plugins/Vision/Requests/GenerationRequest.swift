import OrganicPluginAPI
import PromptCorpus

/// A request made of the shared generation fields plus its own inputs.
public protocol GenerationRequest: Codable, Sendable, Hashable {
    /// The shared fields, coded flat into the request's JSON object.
    var generation: GenerationFields { get set }
}

/// Direct access to the shared fields, so callers write `request.prompt` rather than `request.generation.prompt`.
extension GenerationRequest {
    public var prompt: String {
        get { generation.prompt }
        set { generation.prompt = newValue }
    }
    public var negativePrompt: String {
        get { generation.negativePrompt }
        set { generation.negativePrompt = newValue }
    }
    public var steps: Int {
        get { generation.steps }
        set { generation.steps = newValue }
    }
    public var cfgScale: Double {
        get { generation.cfgScale }
        set { generation.cfgScale = newValue }
    }
    public var width: Int {
        get { generation.width }
        set { generation.width = newValue }
    }
    public var height: Int {
        get { generation.height }
        set { generation.height = newValue }
    }
    public var model: String {
        get { generation.model }
        set { generation.model = newValue }
    }
    /// Assigned by the validator from its seed block; a caller's value is ignored.
    public var seed: UInt64? {
        get { generation.seed }
        set { generation.seed = newValue }
    }
}

/// Validation of the shared generation fields against the configured model.
enum GenerationCheck {
    static func validate(_ request: some GenerationRequest, configuration: VisionConfiguration) throws(RequestValidationError) {
        try FieldCheck.text(request.prompt, maxLength: configuration.maxPromptLength, field: "prompt")
        try FieldCheck.text(request.negativePrompt, maxLength: configuration.maxPromptLength, field: "negative_prompt", allowEmpty: true)
        guard let model = configuration.model(named: request.model) else {
            try FieldCheck.oneOf(request.model, configuration.models.map(\.name), field: "model")
            return
        }
        try FieldCheck.range(request.steps, model.steps, field: "steps")
        try FieldCheck.finite(request.cfgScale, model.cfgScale, field: "cfg_scale")
        try FieldCheck.multiple(request.width, of: model.sizeStep, in: model.sizes, field: "width")
        try FieldCheck.multiple(request.height, of: model.sizeStep, in: model.sizes, field: "height")
    }

    static func validateStrength(_ strength: Double, configuration: VisionConfiguration) throws(RequestValidationError) {
        try FieldCheck.finite(strength, configuration.imageStrengths, field: "image_strength")
    }
}

/// Generation parameters drawn for a synthetic request: every value is one the model allows.
struct SyntheticGeneration {
    var prompt: String
    var steps: Int
    var cfgScale: Double
    var width: Int
    var height: Int
    var model: String
    var imageStrength: Double

    static func draw(configuration: VisionConfiguration, prompts: CaptionMarkovChain, random: inout OrganicRandom) -> SyntheticGeneration {
        let model = configuration.models[Int.random(in: 0..<configuration.models.count, using: &random)]
        let largest = max(model.minSize, min(model.maxSize, configuration.maxSyntheticSide))
        let sizes = Array(stride(from: model.minSize, through: largest, by: model.sizeStep))
        let width = sizes[Int.random(in: 0..<sizes.count, using: &random)]
        let height = sizes[Int.random(in: 0..<sizes.count, using: &random)]
        let cfg = (Double.random(in: model.cfgScale, using: &random) * 10).rounded() / 10
        let strengths = configuration.imageStrengths
        let strength = (Double.random(in: strengths, using: &random) * 100).rounded() / 100
        return SyntheticGeneration(
            prompt: prompts.prompt(using: &random, maxWords: configuration.maxSyntheticPromptWords,
                                   maxLength: min(configuration.maxPromptLength, 76)),
            steps: Int.random(in: model.steps, using: &random),
            cfgScale: min(max(cfg, model.minCfgScale), model.maxCfgScale),
            width: width, height: height, model: model.name,
            imageStrength: min(max(strength, strengths.lowerBound), strengths.upperBound))
    }
}
