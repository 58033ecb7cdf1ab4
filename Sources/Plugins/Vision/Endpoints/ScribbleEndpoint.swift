package import OrganicPluginAPI

/// `POST /v1/scribble`.
///
/// Subnet 19's nineteen has no scribble task: miners receive Organic's format in either setting.
package struct ScribbleEndpoint: GenerationEndpoint, VisionEndpoint {
    package typealias Request = ScribbleRequest
    package typealias Response = ImageResponse

    let resources: VisionResources

    package var descriptor: EndpointDescriptor {
        resources.descriptor(name: "scribble", summary: "Generates an image from a text prompt that follows a scribble.", timeout: .seconds(15), images: 1)
    }

    package func validate(_ request: ScribbleRequest) throws(RequestValidationError) {
        try GenerationCheck.validatePrompts(request, configuration: configuration)
        let model = try GenerationCheck.resolve(request.model, accepted: configuration.models.map(\.name), configuration.model(named:))
        try GenerationCheck.validateRanges(request, limits: model.limits)
        try ImageInput.check(request.initImage, field: "init_image", configuration: configuration)
    }

    package func minerRequest(for request: ScribbleRequest, context: inout PerturbationContext) -> ScribbleRequest {
        var sent = request
        if let model = configuration.model(named: request.model) { sent.model = model.name }
        return sent
    }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> ScribbleRequest? {
        let model = SyntheticGeneration.model(configuration, random: &context.random)
        let g = SyntheticGeneration.draw(limits: model.limits, configuration: configuration, prompts: resources.prompts, random: &context.random)
        let scribble = ScribbleExtractor.outline(resources.syntheticImage(using: &context.random))
        return ScribbleRequest(initImage: ImageInput.encodePNG(scribble), prompt: g.prompt, steps: g.steps, cfgScale: g.cfgScale,
                               width: g.width, height: g.height, model: model.name)
    }

    package func reward(_ round: ScoringRound<ScribbleRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    package func agreement(for request: ScribbleRequest) -> AnswerAgreement<ImageResponse>? {
        resources.imageAgreement
    }

    package func responseForCaller(_ response: ImageResponse, to request: ScribbleRequest, caller: ScribbleRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
