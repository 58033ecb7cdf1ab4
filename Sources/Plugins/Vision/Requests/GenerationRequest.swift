import OrganicPluginAPI
import PromptCorpus

/// A request made of the shared generation fields plus its own inputs.
package protocol GenerationRequest: Codable, Sendable, Hashable {
    /// The shared fields, coded flat into the request's JSON object.
    var generation: GenerationFields { get set }
}

/// Direct access to the shared fields, so callers write `request.prompt` rather than `request.generation.prompt`.
extension GenerationRequest {
    package var prompt: String {
        get { generation.prompt }
        set { generation.prompt = newValue }
    }
    package var negativePrompt: String {
        get { generation.negativePrompt }
        set { generation.negativePrompt = newValue }
    }
    package var steps: Int {
        get { generation.steps }
        set { generation.steps = newValue }
    }
    package var cfgScale: Double {
        get { generation.cfgScale }
        set { generation.cfgScale = newValue }
    }
    package var width: Int {
        get { generation.width }
        set { generation.width = newValue }
    }
    package var height: Int {
        get { generation.height }
        set { generation.height = newValue }
    }
    package var model: String {
        get { generation.model }
        set { generation.model = newValue }
    }
    /// Assigned by the validator from its seed block; a caller's value is ignored.
    package var seed: UInt64? {
        get { generation.seed }
        set { generation.seed = newValue }
    }
}

/// Validation of the shared generation fields against the ranges of the task they ask for.
enum GenerationCheck {
    /// The prompts, then `steps`, `cfg_scale`, `width` and `height` against `limits`.
    static func validate(_ request: some GenerationRequest, limits: GenerationLimits, configuration: VisionConfiguration) throws(RequestValidationError) {
        try validatePrompts(request, configuration: configuration)
        try validateRanges(request, limits: limits)
    }

    static func validatePrompts(_ request: some GenerationRequest, configuration: VisionConfiguration) throws(RequestValidationError) {
        try FieldCheck.text(request.prompt, maxLength: configuration.maxPromptLength, field: "prompt")
        try FieldCheck.text(request.negativePrompt, maxLength: configuration.maxPromptLength, field: "negative_prompt", allowEmpty: true)
    }

    static func validateRanges(_ request: some GenerationRequest, limits: GenerationLimits) throws(RequestValidationError) {
        try FieldCheck.range(request.steps, limits.steps, field: "steps")
        try FieldCheck.finite(request.cfgScale, limits.cfgScale, field: "cfg_scale")
        try FieldCheck.multiple(request.width, of: limits.sizeStep, in: limits.sizes, field: "width")
        try FieldCheck.multiple(request.height, of: limits.sizeStep, in: limits.sizes, field: "height")
    }

    /// The value `resolve` finds for the request's model, or a 400 listing `accepted`.
    static func resolve<T>(_ model: String, accepted: [String], _ resolve: (String) -> T?) throws(RequestValidationError) -> T {
        if let found = resolve(model) { return found }
        try FieldCheck.oneOf(model, accepted, field: "model")
        throw RequestValidationError(code: "unsupported_value", field: "model", message: "model \(model) is not offered.")
    }

    static func validateStrength(_ strength: Double, configuration: VisionConfiguration) throws(RequestValidationError) {
        try FieldCheck.finite(strength, configuration.imageStrengths, field: "image_strength")
    }
}

/// Generation parameters drawn for a synthetic request: every value is one the task allows.
struct SyntheticGeneration {
    var prompt: String
    var steps: Int
    var cfgScale: Double
    var width: Int
    var height: Int
    var imageStrength: Double

    /// Draws within `limits`; sides at most `maxSyntheticSide` (the task's smallest size if lower).
    static func draw(limits: GenerationLimits, configuration: VisionConfiguration, prompts: CaptionMarkovChain,
                     random: inout OrganicRandom) -> SyntheticGeneration {
        let largest = max(limits.minSize, min(limits.maxSize, configuration.maxSyntheticSide))
        let sizes = Array(stride(from: limits.minSize, through: largest, by: limits.sizeStep))
        let width = sizes[Int.random(in: 0..<sizes.count, using: &random)]
        let height = sizes[Int.random(in: 0..<sizes.count, using: &random)]
        let cfg = (Double.random(in: limits.cfgScale, using: &random) * 10).rounded() / 10
        let strengths = configuration.imageStrengths
        let strength = (Double.random(in: strengths, using: &random) * 100).rounded() / 100
        return SyntheticGeneration(
            prompt: prompts.prompt(using: &random, maxWords: configuration.maxSyntheticPromptWords,
                                   maxLength: min(configuration.maxPromptLength, 76)),
            steps: Int.random(in: limits.steps, using: &random),
            cfgScale: min(max(cfg, limits.minCfgScale), limits.maxCfgScale),
            width: width, height: height,
            imageStrength: min(max(strength, strengths.lowerBound), strengths.upperBound))
    }

    /// One of the configured engines, at random.
    static func model(_ configuration: VisionConfiguration, random: inout OrganicRandom) -> ImageModel {
        configuration.models[Int.random(in: 0..<configuration.models.count, using: &random)]
    }
}
