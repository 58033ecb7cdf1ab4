/// Scribbles from pictures: Sobel edge magnitude on luma, thresholded to white strokes on black,
/// as scribble (ControlNet) models expect.
package enum ScribbleExtractor {
    package static func outline(_ image: RGBImage, threshold: Int = 96) -> RGBImage {
        let w = image.width, h = image.height
        guard image.isWellFormed, w >= 3, h >= 3 else { return RGBImage(width: max(w, 0), height: max(h, 0)) }
        var luma = [Int](repeating: 0, count: w * h)
        for p in 0..<(w * h) {
            luma[p] = (Int(image.pixels[p * 3]) * 299 + Int(image.pixels[p * 3 + 1]) * 587 + Int(image.pixels[p * 3 + 2]) * 114) / 1000
        }
        var out = RGBImage(width: w, height: h)
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                func l(_ dx: Int, _ dy: Int) -> Int { luma[(y + dy) * w + x + dx] }
                let gx = (l(1, -1) + 2 * l(1, 0) + l(1, 1)) - (l(-1, -1) + 2 * l(-1, 0) + l(-1, 1))
                let gy = (l(-1, 1) + 2 * l(0, 1) + l(1, 1)) - (l(-1, -1) + 2 * l(0, -1) + l(1, -1))
                if abs(gx) + abs(gy) > threshold {
                    let i = (y * w + x) * 3
                    out.pixels[i] = 255
                    out.pixels[i + 1] = 255
                    out.pixels[i + 2] = 255
                }
            }
        }
        return out
    }
}
