/// RGB -> "L" exactly like Pillow's `convert('L')`: ITU-R 601-2 luma in 16-bit fixed point
/// (weights 19595/38470/7471, i.e. 0.299/0.587/0.114 scaled by 65536), rounded by adding
/// 0x8000 before the shift. Float formulas drift by one level on some colours.
enum Luminance {
    @inline(__always)
    static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let sum = UInt32(r) &* 19595 &+ UInt32(g) &* 38470 &+ UInt32(b) &* 7471 &+ 0x8000
        return UInt8(truncatingIfNeeded: sum >> 16)
    }

    /// Converts the whole image; the caller guarantees `GrayImage.isUsable(image)`.
    static func convert(_ image: RGBImage) -> GrayImage {
        let count = image.width * image.height
        let gray = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            image.pixels.withUnsafeBufferPointer { rgb in
                for index in 0..<count {
                    let base = index &* 3
                    out[index] = luma(rgb[base], rgb[base &+ 1], rgb[base &+ 2])
                }
            }
            initialized = count
        }
        return GrayImage(width: image.width, height: image.height, pixels: gray)
    }
}
