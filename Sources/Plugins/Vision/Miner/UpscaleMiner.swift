package import OrganicPluginAPI

/// Reference upscaling: bilinear enlargement by the requested factor.
package struct UpscaleMiner: MinerHandler {
    package let endpoint: UpscaleEndpoint
    package let noiseSeed: UInt64?

    package init(endpoint: UpscaleEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    package func respond(to request: UpscaleRequest, context: MinerContext) async throws -> ImageResponse {
        let input = ImageInput.decodeTrusted(request.image) ?? RGBImage(width: 1, height: 1)
        var image = ImageResampler.upscale(input, factor: request.scale)
        if context.answerWrongly {
            // Skips the work: a picture of the right size that has nothing to do with the input.
            image = ProceduralImageGenerator().render(prompt: "upscale", negativePrompt: "", seed: 1, steps: 10, cfgScale: 3,
                                                      width: image.width, height: image.height)
        }
        return try GeneratedImageAnswer(noiseSeed: noiseSeed, nsfwWords: [], wireFormat: .organic).respond(with: image, seed: 0, prompt: nil)
    }
}
