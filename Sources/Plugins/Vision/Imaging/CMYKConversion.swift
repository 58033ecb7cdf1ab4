/// CMYK and YCCK JPEGs the way Pillow reads them.
///
/// libjpeg hands out CMYK (it turns YCCK into CMYK itself) in Adobe's inverted polarity, which
/// Pillow undoes ("assume adobe conventions"), then `convert("RGB")` computes, per channel,
/// `(255 - K) - round(C × (255 - K) / 255)`: no undercolour removal, no colour profile.
enum CMYKConversion {
    /// `stored` holds the decoder's C, M, Y, K bytes (inverted, as libjpeg returns Adobe files).
    static func pillowRGB(fromInvertedCMYK stored: [UInt8], width: Int, height: Int) -> RGBImage {
        let count = width * height
        var pixels = [UInt8](repeating: 0, count: count * 3)
        stored.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { out in
                for p in 0..<count {
                    // Pillow's K is 255 - stored K, so its 255 - K is the stored byte.
                    let nk = Int(src[p * 4 + 3])
                    for c in 0..<3 {
                        let ink = 255 - Int(src[p * 4 + c])
                        out[p * 3 + c] = UInt8(clamping: nk - roundedProduct(ink, nk))
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// round(a × b / 255) for bytes; a × b / 255 is never exactly halfway, so this is exact.
    @inline(__always)
    static func roundedProduct(_ a: Int, _ b: Int) -> Int {
        (a * b * 2 + 255) / 510
    }
}
