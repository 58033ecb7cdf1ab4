public import OrganicPluginAPI

/// `POST /v1/inpaint`.
public struct InpaintEndpoint: GenerationEndpoint, VisionEndpoint {
    public typealias Request = InpaintRequest
    public typealias Response = ImageResponse

    let resources: VisionResources

    public var descriptor: EndpointDescriptor {
        resources.descriptor(name: "inpaint", summary: "Repaints the masked part of init_image from a text prompt.", timeout: .seconds(20), images: 2)
    }

    public func validate(_ request: InpaintRequest) throws(RequestValidationError) {
        try GenerationCheck.validate(request, configuration: configuration)
        try GenerationCheck.validateStrength(request.imageStrength, configuration: configuration)
        _ = try ImageInput.decode(request.initImage, field: "init_image", configuration: configuration)
        _ = try ImageInput.decode(request.mask, field: "mask", configuration: configuration)
    }

    public func makeSyntheticRequest(context: inout SyntheticContext) -> InpaintRequest? {
        let g = SyntheticGeneration.draw(configuration: configuration, prompts: resources.prompts, random: &context.random)
        let image = resources.syntheticImage(using: &context.random)
        let mask = SyntheticMask.make(width: image.width, height: image.height, random: &context.random)
        return InpaintRequest(initImage: ImageInput.encodePNG(image), mask: ImageInput.encodePNG(mask), imageStrength: 1,
                              prompt: g.prompt, steps: g.steps, cfgScale: g.cfgScale, width: g.width, height: g.height, model: g.model)
    }

    public func reward(_ round: ScoringRound<InpaintRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    public func responseForCaller(_ response: ImageResponse, to request: InpaintRequest, caller: InpaintRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
