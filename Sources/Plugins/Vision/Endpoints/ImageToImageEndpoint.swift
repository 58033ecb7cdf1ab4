package import OrganicPluginAPI

/// `POST /v1/image-to-image`.
///
/// `model` is an engine's image-to-image task name (`proteus-image-to-image`, or with
/// underscores) or the engine's own name (`proteus-text-to-image`); both mean the same engine.
/// Organic-format miners receive the engine's name, nineteen-format miners the task name.
package struct ImageToImageEndpoint: GenerationEndpoint, VisionEndpoint {
    package typealias Request = ImageToImageRequest
    package typealias Response = ImageResponse

    static let name = "image-to-image"

    let resources: VisionResources

    package var descriptor: EndpointDescriptor {
        resources.descriptor(name: Self.name, summary: "Transforms init_image towards a text prompt.", timeout: .seconds(15), images: 1,
                             models: configuration.models.map(\.imageToImageName), routesByModel: configuration.minerWireFormat == .nineteen)
    }

    package func validate(_ request: ImageToImageRequest) throws(RequestValidationError) {
        try GenerationCheck.validatePrompts(request, configuration: configuration)
        let accepted = configuration.models.map(\.imageToImageName) + configuration.models.map(\.name)
        let model = try GenerationCheck.resolve(request.model, accepted: accepted, configuration.imageToImageModel(named:))
        try GenerationCheck.validateRanges(request, limits: model.imageToImageLimits)
        try GenerationCheck.validateStrength(request.imageStrength, configuration: configuration)
        try ImageInput.check(request.initImage, field: "init_image", configuration: configuration)
    }

    package func minerRequest(for request: ImageToImageRequest, context: inout PerturbationContext) -> ImageToImageRequest {
        var sent = request
        if let model = configuration.imageToImageModel(named: request.model) {
            sent.model = configuration.minerWireFormat == .nineteen ? model.imageToImageName : model.name
        }
        return sent
    }

    package func model(of request: ImageToImageRequest) -> String? { configuration.imageToImageModel(named: request.model)?.imageToImageName }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> ImageToImageRequest? {
        let model = SyntheticGeneration.model(configuration, random: &context.random)
        let g = SyntheticGeneration.draw(limits: model.imageToImageLimits, configuration: configuration, prompts: resources.prompts,
                                         random: &context.random)
        let image = resources.syntheticImage(using: &context.random)
        return ImageToImageRequest(initImage: ImageInput.encodePNG(image), imageStrength: g.imageStrength, prompt: g.prompt,
                                   steps: g.steps, cfgScale: g.cfgScale, width: g.width, height: g.height, model: model.imageToImageName)
    }

    package func reward(_ round: ScoringRound<ImageToImageRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    package func agreement(for request: ImageToImageRequest) -> AnswerAgreement<ImageResponse>? {
        resources.imageAgreement
    }

    package func responseForCaller(_ response: ImageResponse, to request: ImageToImageRequest, caller: ImageToImageRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
