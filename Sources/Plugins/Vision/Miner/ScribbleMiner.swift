package import OrganicPluginAPI

/// Reference scribble: the prompt's procedural picture with the scribble's strokes drawn into it
/// (darkened), so the output follows both the prompt and the scribble.
package struct ScribbleMiner: MinerHandler {
    package let endpoint: ScribbleEndpoint
    package let noiseSeed: UInt64?

    package init(endpoint: ScribbleEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    package func respond(to request: ScribbleRequest, context: MinerContext) async throws -> ImageResponse {
        var seed = request.seed ?? 0
        if context.answerWrongly { seed = seed &+ 1 }
        let (w, h) = (request.width, request.height)
        var image = ProceduralImageGenerator().render(
            prompt: request.prompt, negativePrompt: request.negativePrompt, seed: seed, steps: request.steps,
            cfgScale: request.cfgScale, width: w, height: h)
        let scribble = GeneratedImageAnswer.input(request.initImage, width: w, height: h)
        image.pixels.withUnsafeMutableBufferPointer { o in
            scribble.pixels.withUnsafeBufferPointer { s in
                var i = 0
                while i + 2 < o.count, i + 2 < s.count {
                    if SyntheticMask.isMasked(s, i) {
                        o[i] /= 4
                        o[i + 1] /= 4
                        o[i + 2] /= 4
                    }
                    i += 3
                }
            }
        }
        return try GeneratedImageAnswer(noiseSeed: noiseSeed, configuration: endpoint.configuration)
            .respond(with: image, seed: seed, prompt: request.prompt)
    }
}
