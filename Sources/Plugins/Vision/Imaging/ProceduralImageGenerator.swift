/// Deterministic stand-in for a diffusion model, used by the reference miner.
///
/// Same parameters give byte-identical pixels on every machine (integer-only
/// rendering, self-contained hashing and PRNG), while different prompts,
/// seeds, steps or guidance give visibly different pictures: a smooth
/// gradient sky with value-noise clouds and a handful of shaded discs,
/// rings, wavy bands and metaball blobs. That lets validators exercise the
/// real scoring path (perceptual hashes must tell "same params + GPU noise"
/// from "different seed") without a GPU.
package struct ProceduralImageGenerator: Sendable {
    package init() {}

    /// Renders a picture for the given text-to-image parameters.
    ///
    /// - `width`/`height` are clamped to 0...8192 (an empty image results for 0).
    /// - `steps` (clamped to 0...10000) adds detail shapes; `cfgScale`
    ///   (quantised to 0.01, NaN/inf treated as 0) raises saturation/contrast.
    /// - Words in `negativePrompt` are removed from the prompt's shapes, and
    ///   the negative prompt also reseeds the layout.
    package func render(
        prompt: String,
        negativePrompt: String,
        seed: UInt64,
        steps: Int,
        cfgScale: Double,
        width: Int,
        height: Int
    ) -> RGBImage {
        let scene = ProceduralScene(
            prompt: prompt, negativePrompt: negativePrompt, seed: seed, steps: steps, cfgScale: cfgScale)
        return ProceduralRasterizer.render(scene, width: width, height: height)
    }

    /// Image-to-image: renders the prompt/seed pattern at the input's size
    /// (20 steps, cfg 7, no negative prompt) and blends it over the input.
    /// `strength` 0 returns the input unchanged, 1 returns the pattern;
    /// it is clamped to 0...1 and quantised to 1/256. A malformed input
    /// (pixel count not matching its size) is returned unchanged.
    package func transform(_ image: RGBImage, prompt: String, seed: UInt64, strength: Double) -> RGBImage {
        guard image.isWellFormed, image.width > 0, image.height > 0,
              image.width <= ProceduralRasterizer.maxSide, image.height <= ProceduralRasterizer.maxSide
        else { return image }
        let amount = ImagingFixedPoint.quantize(strength, scale: 256, range: 0...256)
        if amount == 0 { return image }
        let pattern = render(
            prompt: prompt, negativePrompt: "", seed: seed, steps: 20, cfgScale: 7,
            width: image.width, height: image.height)
        if amount == 256 { return pattern }

        var output = image
        output.pixels.withUnsafeMutableBufferPointer { out in
            pattern.pixels.withUnsafeBufferPointer { pat in
                for i in 0..<min(out.count, pat.count) {
                    let a = Int(out[i])
                    out[i] = UInt8(truncatingIfNeeded: a &+ (((Int(pat[i]) &- a) &* amount) >> 8))
                }
            }
        }
        return output
    }
}
