/// RGB -> HSV exactly like Pillow's `convert('HSV')` (all channels 0...255).
///
/// Pillow follows colorsys.py but mixes C `float` and `double`: ratios are computed in
/// `float`, the hue offset, `/ 6`, `+ 1` and `fmod` in `double` with the result stored
/// back into a `float`, and both channels are scaled by 255 in `double` and truncated.
/// Reproducing that type mix is what makes hue/saturation match at bin boundaries
/// (checked against Pillow for all 2^24 colours by the exhaustive fixture test).
enum HSVConversion {
    @inline(__always)
    static func hueSaturation(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> (hue: UInt8, saturation: UInt8) {
        let maxc = max(r, max(g, b))
        let minc = min(r, min(g, b))
        if maxc == minc { return (0, 0) }
        return (hue(r, g, b, maxc: maxc, minc: minc), saturation(maxc: maxc, minc: minc))
    }

    /// Saturation for max > min: (int)((double)((float)(max - min) / (float)max) * 255).
    @inline(__always)
    static func saturation(maxc: UInt8, minc: UInt8) -> UInt8 {
        let s = Float(maxc - minc) / Float(maxc)
        return UInt8(clamping: Int(Double(s) * 255.0))
    }

    /// Hue for max > min. Only the two ratios the chosen branch needs are computed; each
    /// is the same float division Pillow performs, so the result is unchanged.
    @inline(__always)
    static func hue(_ r: UInt8, _ g: UInt8, _ b: UInt8, maxc: UInt8, minc: UInt8) -> UInt8 {
        let cr = Float(maxc - minc)
        let h: Float
        if r == maxc {
            h = Float(maxc - b) / cr - Float(maxc - g) / cr
        } else if g == maxc {
            h = Float(2.0 + Double(Float(maxc - r) / cr) - Double(Float(maxc - b) / cr))
        } else {
            h = Float(4.0 + Double(Float(maxc - g) / cr) - Double(Float(maxc - r) / cr))
        }
        // h / 6 + 1 lies in [5/6, 2), where fmod(x, 1) is exactly x - 1 for x >= 1
        // (Sterbenz) and x otherwise; this avoids a libm call per pixel.
        var shifted = Double(h) / 6.0 + 1.0
        if shifted >= 1.0 { shifted -= 1.0 }
        let wrapped = Float(shifted)
        return UInt8(clamping: Int(Double(wrapped) * 255.0))
    }
}
