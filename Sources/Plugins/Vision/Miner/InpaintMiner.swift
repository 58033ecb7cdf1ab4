package import OrganicPluginAPI

/// Reference inpainting: inside the mask the init image is blended towards the prompt's
/// procedural picture by `image_strength`; outside the mask every pixel is kept.
package struct InpaintMiner: MinerHandler {
    package let endpoint: InpaintEndpoint
    package let noiseSeed: UInt64?

    package init(endpoint: InpaintEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    package func respond(to request: InpaintRequest, context: MinerContext) async throws -> ImageResponse {
        var seed = request.seed ?? 0
        if context.answerWrongly { seed = seed &+ 1 }
        let (w, h) = (request.width, request.height)
        let input = GeneratedImageAnswer.input(request.initImage, width: w, height: h)
        let mask = GeneratedImageAnswer.input(request.mask, width: w, height: h)
        let pattern = ProceduralImageGenerator().render(
            prompt: request.prompt, negativePrompt: request.negativePrompt, seed: seed, steps: request.steps,
            cfgScale: request.cfgScale, width: w, height: h)
        let image = Self.inpaint(input, pattern: pattern, mask: mask, strength: context.answerWrongly ? 1 : request.imageStrength)
        return try GeneratedImageAnswer(noiseSeed: noiseSeed, configuration: endpoint.configuration)
            .respond(with: image, seed: seed, prompt: request.prompt)
    }

    /// Blends `pattern` over `input` where `mask` is light; all three must have the same size.
    static func inpaint(_ input: RGBImage, pattern: RGBImage, mask: RGBImage, strength: Double) -> RGBImage {
        guard input.pixels.count == pattern.pixels.count, input.pixels.count == mask.pixels.count else { return input }
        let amount = ImagingFixedPoint.quantize(strength, scale: 256, range: 0...256)
        var out = input
        out.pixels.withUnsafeMutableBufferPointer { o in
            pattern.pixels.withUnsafeBufferPointer { p in
                mask.pixels.withUnsafeBufferPointer { m in
                    var i = 0
                    while i + 2 < o.count {
                        if SyntheticMask.isMasked(m, i) {
                            for c in i..<(i + 3) {
                                let a = Int(o[c])
                                o[c] = UInt8(truncatingIfNeeded: a + (((Int(p[c]) - a) * amount) >> 8))
                            }
                        }
                        i += 3
                    }
                }
            }
        }
        return out
    }
}
