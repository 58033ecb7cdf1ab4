package import OrganicPluginAPI

/// `POST /v1/inpaint`.
///
/// Without `model` (or with `model: "inpaint"`) the request is for nineteen's `inpaint` task and
/// its ranges (``VisionConfiguration/inpaint``); naming an engine uses that engine's ranges.
package struct InpaintEndpoint: GenerationEndpoint, VisionEndpoint {
    package typealias Request = InpaintRequest
    package typealias Response = ImageResponse

    static let name = "inpaint"

    let resources: VisionResources

    package var descriptor: EndpointDescriptor {
        resources.descriptor(name: Self.name, summary: "Repaints the masked part of init_image from a text prompt.", timeout: .seconds(20),
                             images: 2, models: [NineteenTask.inpaint] + configuration.models.map(\.name))
    }

    package func validate(_ request: InpaintRequest) throws(RequestValidationError) {
        try GenerationCheck.validatePrompts(request, configuration: configuration)
        let (_, limits) = try GenerationCheck.resolve(request.model, accepted: descriptor.models, task(named:))
        try GenerationCheck.validateRanges(request, limits: limits)
        try GenerationCheck.validateStrength(request.imageStrength, configuration: configuration)
        try ImageInput.check(request.initImage, field: "init_image", configuration: configuration)
        try ImageInput.check(request.mask, field: "mask", configuration: configuration)
    }

    /// The task's name (`inpaint` or an engine's) and its ranges.
    func task(named name: String) -> (String, GenerationLimits)? {
        if ModelName.normalized(name) == NineteenTask.inpaint { return (NineteenTask.inpaint, configuration.inpaint) }
        return configuration.model(named: name).map { ($0.name, $0.limits) }
    }

    /// nineteen's miners get `mask_image` and no model; Organic's get the resolved model name.
    package func minerRequest(for request: InpaintRequest, context: inout PerturbationContext) -> InpaintRequest {
        var sent = request
        if let (name, _) = task(named: request.model) { sent.model = name }
        sent.wireFormat = configuration.minerWireFormat
        return sent
    }

    /// Organic format: a random engine, as before; nineteen format: the `inpaint` task.
    package func makeSyntheticRequest(context: inout SyntheticContext) -> InpaintRequest? {
        var (name, limits) = (NineteenTask.inpaint, configuration.inpaint)
        if configuration.minerWireFormat == .organic {
            let model = SyntheticGeneration.model(configuration, random: &context.random)
            (name, limits) = (model.name, model.limits)
        }
        let g = SyntheticGeneration.draw(limits: limits, configuration: configuration, prompts: resources.prompts, random: &context.random)
        let image = resources.syntheticImage(using: &context.random)
        let mask = SyntheticMask.make(width: image.width, height: image.height, random: &context.random)
        return InpaintRequest(initImage: ImageInput.encodePNG(image), mask: ImageInput.encodePNG(mask), imageStrength: 1,
                              prompt: g.prompt, steps: g.steps, cfgScale: g.cfgScale, width: g.width, height: g.height, model: name)
    }

    package func reward(_ round: ScoringRound<InpaintRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    package func agreement(for request: InpaintRequest) -> AnswerAgreement<ImageResponse>? {
        resources.imageAgreement
    }

    package func responseForCaller(_ response: ImageResponse, to request: InpaintRequest, caller: InpaintRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
