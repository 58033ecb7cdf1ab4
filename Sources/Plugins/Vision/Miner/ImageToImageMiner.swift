package import OrganicPluginAPI

/// Reference image-to-image: the init image, resized to the requested size, blended towards the
/// prompt's procedural pattern by `image_strength`.
package struct ImageToImageMiner: MinerHandler {
    package let endpoint: ImageToImageEndpoint
    package let noiseSeed: UInt64?

    package init(endpoint: ImageToImageEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    package func respond(to request: ImageToImageRequest, context: MinerContext) async throws -> ImageResponse {
        var seed = request.seed ?? 0
        if context.answerWrongly { seed = seed &+ 1 }
        let input = GeneratedImageAnswer.input(request.initImage, width: request.width, height: request.height)
        let strength = context.answerWrongly ? 1 : request.imageStrength
        let image = ProceduralImageGenerator().transform(input, prompt: request.prompt, seed: seed, strength: strength)
        return try GeneratedImageAnswer(noiseSeed: noiseSeed, configuration: endpoint.configuration)
            .respond(with: image, seed: seed, prompt: request.prompt)
    }
}
