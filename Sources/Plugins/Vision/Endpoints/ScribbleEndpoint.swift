public import OrganicPluginAPI

/// `POST /v1/scribble`.
public struct ScribbleEndpoint: GenerationEndpoint, VisionEndpoint {
    public typealias Request = ScribbleRequest
    public typealias Response = ImageResponse

    let resources: VisionResources

    public var descriptor: EndpointDescriptor {
        resources.descriptor(name: "scribble", summary: "Generates an image from a text prompt that follows a scribble.", timeout: .seconds(15), images: 1)
    }

    public func validate(_ request: ScribbleRequest) throws(RequestValidationError) {
        try GenerationCheck.validate(request, configuration: configuration)
        _ = try ImageInput.decode(request.initImage, field: "init_image", configuration: configuration)
    }

    public func makeSyntheticRequest(context: inout SyntheticContext) -> ScribbleRequest? {
        let g = SyntheticGeneration.draw(configuration: configuration, prompts: resources.prompts, random: &context.random)
        let scribble = ScribbleExtractor.outline(resources.syntheticImage(using: &context.random))
        return ScribbleRequest(initImage: ImageInput.encodePNG(scribble), prompt: g.prompt, steps: g.steps, cfgScale: g.cfgScale,
                               width: g.width, height: g.height, model: g.model)
    }

    public func reward(_ round: ScoringRound<ScribbleRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    public func responseForCaller(_ response: ImageResponse, to request: ScribbleRequest, caller: ScribbleRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
