package import OrganicPluginAPI

/// The reference miner for text-to-image: a deterministic procedural picture instead of a
/// diffusion model, so it runs without a GPU and two honest miners agree.
package struct TextToImageMiner: MinerHandler {
    package let endpoint: TextToImageEndpoint
    package let noiseSeed: UInt64?
    let generator = ProceduralImageGenerator()

    package init(endpoint: TextToImageEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    package func respond(to request: TextToImageRequest, context: MinerContext) async throws -> ImageResponse {
        var seed = request.seed ?? 0
        // A dishonest miner skips the real work: it reuses a picture for another seed.
        if context.answerWrongly { seed = seed &+ 1 }
        let image = generator.render(prompt: request.prompt, negativePrompt: request.negativePrompt, seed: seed,
                                     steps: request.steps, cfgScale: request.cfgScale, width: request.width, height: request.height)
        return try GeneratedImageAnswer(noiseSeed: noiseSeed, configuration: endpoint.configuration)
            .respond(with: image, seed: seed, prompt: request.prompt)
    }
}
