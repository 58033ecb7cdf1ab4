public import OrganicPluginAPI
import Foundation

/// `POST /v1/text-to-image`.
public struct TextToImageEndpoint: Endpoint {
    public typealias Request = TextToImageRequest
    public typealias Response = ImageResponse

    let configuration: VisionConfiguration

    public var descriptor: EndpointDescriptor {
        EndpointDescriptor(
            name: "text-to-image", summary: "Generates an image from a text prompt.",
            timeout: .seconds(15), price: configuration.imagePrice, scoring: .syntheticAndOrganic,
            maxRequestBytes: 64 << 10, maxResponseBytes: 16 << 20, models: configuration.models.map(\.name))
    }

    public func validate(_ request: TextToImageRequest) throws(RequestValidationError) {
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

    public func validate(response: ImageResponse, for request: TextToImageRequest) throws(ResponseValidationError) {
        try GeneratedImageCheck.validate(response, width: request.width, height: request.height)
    }

    /// The validator assigns the seed from its own block; the caller's seed is discarded.
    public func perturb(_ request: inout TextToImageRequest, context: inout PerturbationContext) {
        request.seed = context.nextSeed()
    }

    public func makeSyntheticRequest(context: inout SyntheticContext) -> TextToImageRequest {
        let model = configuration.models.randomElement(using: &context.random) ?? configuration.models[0]
        func size() -> Int {
            let choices = Array(stride(from: model.minSize, through: model.maxSize, by: model.sizeStep))
            return choices.randomElement(using: &context.random) ?? model.minSize
        }
        let cfg = (Double.random(in: model.cfgScale, using: &context.random) * 10).rounded() / 10
        return TextToImageRequest(
            prompt: SyntheticPrompts.prompt(using: &context.random, maxLength: min(configuration.maxPromptLength, 76)),
            steps: Int.random(in: model.steps, using: &context.random), cfgScale: min(max(cfg, model.minCfgScale), model.maxCfgScale),
            width: size(), height: size(), model: model.name)
    }

    public func reward(_ round: ScoringRound<TextToImageRequest, ImageResponse>) -> RewardVerdict {
        ImageAgreementReward.rewards(for: round.answers)
    }
}
