public import OrganicPluginAPI

/// The organic jitter for embedding requests: one to three random pixels change by exactly ±1 on
/// each of R, G and B, so the picture looks the same but its embedding (and any cached answer)
/// does not match. A channel at 0 or 255 moves inwards, so every change is exactly one step.
/// The caller re-encodes losslessly (PNG); JPEG would change far more than the chosen pixels.
public enum PixelJitter {
    /// One changed pixel: its position and the change applied to R, G and B.
    public struct Change: Sendable, Hashable {
        public var x: Int
        public var y: Int
        public var deltas: [Int]
    }

    /// Jitters `image` in place and returns what changed (empty for an empty image).
    @discardableResult
    public static func apply(_ image: inout RGBImage, random: inout OrganicRandom) -> [Change] {
        guard image.isWellFormed, image.pixelCount > 0 else { return [] }
        let count = min(Int.random(in: 1...3, using: &random), image.pixelCount)
        var chosen: [Int] = []
        while chosen.count < count {
            let p = Int.random(in: 0..<image.pixelCount, using: &random)
            if !chosen.contains(p) { chosen.append(p) }
        }
        var changes: [Change] = []
        for p in chosen {
            var deltas: [Int] = []
            for c in 0..<3 {
                let i = p * 3 + c
                var delta = Bool.random(using: &random) ? 1 : -1
                if image.pixels[i] == 255 { delta = -1 }
                if image.pixels[i] == 0 { delta = 1 }
                image.pixels[i] = UInt8(Int(image.pixels[i]) + delta)
                deltas.append(delta)
            }
            changes.append(Change(x: p % image.width, y: p / image.width, deltas: deltas))
        }
        return changes
    }

    /// Decodes, jitters and re-encodes as PNG; nil when the bytes do not decode.
    public static func jitterEncoded(_ bytes: [UInt8], random: inout OrganicRandom) -> (png: [UInt8], changes: [Change])? {
        guard var image = try? ImageCodec.decode(bytes, limits: ImageLimits(maxPixels: 8192 * 8192, maxDimension: 8192)) else {
            return nil
        }
        let changes = apply(&image, random: &random)
        guard let png = try? ImageCodec.encodePNG(image) else { return nil }
        return (png, changes)
    }
}
