public import OrganicPluginAPI

/// `POST /v1/image-to-image`.
public struct ImageToImageEndpoint: GenerationEndpoint, VisionEndpoint {
    public typealias Request = ImageToImageRequest
    public typealias Response = ImageResponse

    let resources: VisionResources

    public var descriptor: EndpointDescriptor {
        resources.descriptor(name: "image-to-image", summary: "Transforms init_image towards a text prompt.", timeout: .seconds(15), images: 1)
    }

    public func validate(_ request: ImageToImageRequest) throws(RequestValidationError) {
        try GenerationCheck.validate(request, configuration: configuration)
        try GenerationCheck.validateStrength(request.imageStrength, configuration: configuration)
        _ = try ImageInput.decode(request.initImage, field: "init_image", configuration: configuration)
    }

    public func makeSyntheticRequest(context: inout SyntheticContext) -> ImageToImageRequest? {
        let g = SyntheticGeneration.draw(configuration: configuration, prompts: resources.prompts, random: &context.random)
        let image = resources.syntheticImage(using: &context.random)
        return ImageToImageRequest(initImage: ImageInput.encodePNG(image), imageStrength: g.imageStrength, prompt: g.prompt,
                                   steps: g.steps, cfgScale: g.cfgScale, width: g.width, height: g.height, model: g.model)
    }

    public func reward(_ round: ScoringRound<ImageToImageRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    public func responseForCaller(_ response: ImageResponse, to request: ImageToImageRequest, caller: ImageToImageRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
