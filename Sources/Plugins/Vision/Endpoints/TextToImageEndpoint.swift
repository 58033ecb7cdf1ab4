package import OrganicPluginAPI

/// `POST /v1/text-to-image`.
///
/// `model` is an engine's name (`proteus-text-to-image`, or `proteus_text_to_image`). With the
/// nineteen wire format, requests route by model: a miner that declares capacity for some
/// engines only gets requests for those.
package struct TextToImageEndpoint: GenerationEndpoint, VisionEndpoint {
    package typealias Request = TextToImageRequest
    package typealias Response = ImageResponse

    static let name = "text-to-image"

    let resources: VisionResources

    package var descriptor: EndpointDescriptor {
        resources.descriptor(name: Self.name, summary: "Generates an image from a text prompt.", timeout: .seconds(15), images: 0,
                             routesByModel: configuration.minerWireFormat == .nineteen)
    }

    package func validate(_ request: TextToImageRequest) throws(RequestValidationError) {
        try GenerationCheck.validatePrompts(request, configuration: configuration)
        let model = try GenerationCheck.resolve(request.model, accepted: configuration.models.map(\.name), configuration.model(named:))
        try GenerationCheck.validateRanges(request, limits: model.limits)
    }

    /// Miners receive the engine's name with hyphens, which is also nineteen's task name.
    package func minerRequest(for request: TextToImageRequest, context: inout PerturbationContext) -> TextToImageRequest {
        var sent = request
        if let model = configuration.model(named: request.model) { sent.model = model.name }
        return sent
    }

    package func model(of request: TextToImageRequest) -> String? { configuration.model(named: request.model)?.name }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> TextToImageRequest? {
        let model = SyntheticGeneration.model(configuration, random: &context.random)
        let g = SyntheticGeneration.draw(limits: model.limits, configuration: configuration, prompts: resources.prompts, random: &context.random)
        return TextToImageRequest(prompt: g.prompt, steps: g.steps, cfgScale: g.cfgScale, width: g.width, height: g.height, model: model.name)
    }

    package func reward(_ round: ScoringRound<TextToImageRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    package func agreement(for request: TextToImageRequest) -> AnswerAgreement<ImageResponse>? {
        resources.imageAgreement
    }

    package func responseForCaller(_ response: ImageResponse, to request: TextToImageRequest, caller: TextToImageRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
