extension ProceduralImageGenerator {
    /// Simulates run-to-run differences between GPUs: about one pixel in
    /// eight gets each channel nudged by a value in `-amplitude...amplitude`
    /// (clamped to 0...255). Deterministic per `noiseSeed`, so tests and
    /// replays are reproducible, but two miners with different noise seeds
    /// return slightly different bytes for the same request—exactly what a
    /// perceptual-hash reward must tolerate. `amplitude` <= 0 is a no-op;
    /// values above 255 are clamped.
    package static func addHardwareNoise(_ image: inout RGBImage, noiseSeed: UInt64, amplitude: Int = 2) {
        let amp = min(255, amplitude)
        guard amp > 0 else { return }
        let span = UInt64(2 * amp + 1)
        var rng = ImagingRandom(seed: ImagingRandom.mix(noiseSeed ^ 0x6E6F_6973_652E_7631))  // "noise.v1"
        image.pixels.withUnsafeMutableBufferPointer { buffer in
            var i = 0
            // Whole pixels only; a trailing partial pixel of a malformed image is left alone.
            while i + 2 < buffer.count {
                let bits = rng.next()
                if bits & 7 == 0 {
                    for c in 0..<3 {
                        let field = (bits >> UInt64(8 + 16 * c)) & 0xFFFF
                        let delta = Int(field % span) - amp
                        buffer[i + c] = ImagingFixedPoint.clampByte(Int(buffer[i + c]) + delta)
                    }
                }
                i += 3
            }
        }
    }
}
