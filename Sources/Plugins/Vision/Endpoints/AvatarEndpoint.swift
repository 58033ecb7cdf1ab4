package import OrganicPluginAPI

/// `POST /v1/avatar`: a portrait of the face in `init_image`, following a prompt.
///
/// nineteen's `avatar` task (InstantID on its workers): ranges from ``VisionConfiguration/avatar``;
/// `ipadapter_strength` and `control_strength` in 0.11–1 (nineteen's workers refuse 0.1 or less).
package struct AvatarEndpoint: GenerationEndpoint, VisionEndpoint {
    package typealias Request = AvatarRequest
    package typealias Response = ImageResponse

    static let name = "avatar"
    /// Allowed `ipadapter_strength` and `control_strength`.
    static let strengths: ClosedRange<Double> = 0.11...1

    let resources: VisionResources

    package var descriptor: EndpointDescriptor {
        resources.descriptor(name: Self.name, summary: "Generates a portrait of the face in init_image from a text prompt.",
                             timeout: .seconds(15), images: 1, models: [NineteenTask.avatar])
    }

    package func validate(_ request: AvatarRequest) throws(RequestValidationError) {
        try GenerationCheck.validate(request, limits: configuration.avatar, configuration: configuration)
        try FieldCheck.finite(request.ipadapterStrength, Self.strengths, field: "ipadapter_strength")
        try FieldCheck.finite(request.controlStrength, Self.strengths, field: "control_strength")
        try ImageInput.check(request.initImage, field: "init_image", configuration: configuration)
    }

    package func minerRequest(for request: AvatarRequest, context: inout PerturbationContext) -> AvatarRequest {
        var sent = request
        sent.wireFormat = configuration.minerWireFormat
        return sent
    }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> AvatarRequest? {
        let g = SyntheticGeneration.draw(limits: configuration.avatar, configuration: configuration, prompts: resources.prompts,
                                         random: &context.random)
        let face = resources.syntheticImage(using: &context.random)
        let strength = { (random: inout OrganicRandom) in (Double.random(in: Self.strengths, using: &random) * 100).rounded(.down) / 100 }
        return AvatarRequest(initImage: ImageInput.encodePNG(face), prompt: g.prompt, steps: g.steps, cfgScale: g.cfgScale,
                             width: g.width, height: g.height, ipadapterStrength: max(strength(&context.random), Self.strengths.lowerBound),
                             controlStrength: max(strength(&context.random), Self.strengths.lowerBound))
    }

    package func reward(_ round: ScoringRound<AvatarRequest, ImageResponse>) -> RewardVerdict {
        resources.rewardImages(round)
    }

    package func agreement(for request: AvatarRequest) -> AnswerAgreement<ImageResponse>? {
        resources.imageAgreement
    }

    package func responseForCaller(_ response: ImageResponse, to request: AvatarRequest, caller: AvatarRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
