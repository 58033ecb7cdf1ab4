package import OrganicPluginAPI

/// Random inpainting masks: white (repaint) discs and blobs on black (keep).
package enum SyntheticMask {
    /// One to three shapes; each a disc or a blob of overlapping discs, radius 8%–40% of the side.
    package static func make(width: Int, height: Int, random: inout OrganicRandom) -> RGBImage {
        var mask = RGBImage(width: width, height: height)
        let side = min(width, height)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let cx = Int.random(in: 0..<width, using: &random)
            let cy = Int.random(in: 0..<height, using: &random)
            let radius = max(2, side * Int.random(in: 8...40, using: &random) / 100)
            let lobes = Bool.random(using: &random) ? 1 : Int.random(in: 3...6, using: &random)
            for lobe in 0..<lobes {
                let dx = lobe == 0 ? 0 : Int.random(in: -radius...radius, using: &random)
                let dy = lobe == 0 ? 0 : Int.random(in: -radius...radius, using: &random)
                let r = lobe == 0 ? radius : max(2, radius * Int.random(in: 40...90, using: &random) / 100)
                fillDisc(&mask, cx: cx + dx, cy: cy + dy, r: r)
            }
        }
        return mask
    }

    static func fillDisc(_ image: inout RGBImage, cx: Int, cy: Int, r: Int) {
        let y0 = max(0, cy - r), y1 = min(image.height - 1, cy + r)
        let x0 = max(0, cx - r), x1 = min(image.width - 1, cx + r)
        guard y0 <= y1, x0 <= x1 else { return }
        for y in y0...y1 {
            for x in x0...x1 where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r {
                let i = (y * image.width + x) * 3
                image.pixels[i] = 255
                image.pixels[i + 1] = 255
                image.pixels[i + 2] = 255
            }
        }
    }

    /// Whether a mask pixel asks for repainting (light: luma above the midpoint).
    @inline(__always)
    static func isMasked(_ pixels: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        Int(pixels[i]) * 299 + Int(pixels[i + 1]) * 587 + Int(pixels[i + 2]) * 114 > 127_500
    }
}
