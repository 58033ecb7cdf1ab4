public import OrganicPluginAPI

/// `POST /v1/text-to-image`.
public struct TextToImageEndpoint: GenerationEndpoint, VisionEndpoint {
    public typealias Request = TextToImageRequest
    public typealias Response = ImageResponse

    let resources: VisionResources

    public var descriptor: EndpointDescriptor {
        resources.descriptor(name: "text-to-image", summary: "Generates an image from a text prompt.", timeout: .seconds(15), images: 0)
    }

    public func validate(_ request: TextToImageRequest) throws(RequestValidationError) {
        try GenerationCheck.validate(request, configuration: configuration)
    }

    public func makeSyntheticRequest(context: inout SyntheticContext) -> TextToImageRequest? {
        let g = SyntheticGeneration.draw(configuration: configuration, prompts: resources.prompts, random: &context.random)
        return TextToImageRequest(prompt: g.prompt, steps: g.steps, cfgScale: g.cfgScale, width: g.width, height: g.height, model: g.model)
    }

    public func reward(_ round: ScoringRound<TextToImageRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    public func responseForCaller(_ response: ImageResponse, to request: TextToImageRequest, caller: TextToImageRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
