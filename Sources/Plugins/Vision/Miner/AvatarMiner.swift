package import OrganicPluginAPI

/// Reference avatar: the face picture, resized to the requested size, blended towards the
/// prompt's procedural pattern; the higher `ipadapter_strength` and `control_strength`, the
/// more of the face is kept. Deterministic, like the other reference miners.
package struct AvatarMiner: MinerHandler {
    package let endpoint: AvatarEndpoint
    package let noiseSeed: UInt64?

    package init(endpoint: AvatarEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    package func respond(to request: AvatarRequest, context: MinerContext) async throws -> ImageResponse {
        var seed = request.seed ?? 0
        if context.answerWrongly { seed = seed &+ 1 }
        let face = GeneratedImageAnswer.input(request.initImage, width: request.width, height: request.height)
        let kept = min(max((request.ipadapterStrength + request.controlStrength) / 2, 0), 1)
        let strength = context.answerWrongly ? 1 : 1 - kept
        let image = ProceduralImageGenerator().transform(face, prompt: request.prompt, seed: seed, strength: strength)
        return try GeneratedImageAnswer(noiseSeed: noiseSeed, configuration: endpoint.configuration)
            .respond(with: image, seed: seed, prompt: request.prompt)
    }
}
