/// A deterministic stand-in for a CLIP ViT-B/32 image embedding: 512 floats of unit length.
///
/// Most of the vector is a fixed random projection of an 8x8 colour thumbnail, so small pixel
/// noise barely moves it and different pictures point elsewhere (cosine well below 0.9). A small
/// part comes from a hash of the exact pixels, so an embedding cached for the un-jittered image
/// has a cosine of about 0.997 with the right one: below the embedding threshold (0.999), as with
/// the real model, and a miner cannot skip the work by answering from a cache.
package enum PseudoClipEmbedding {
    package static let dimensions = 512
    static let thumbnailSide = 8
    /// Weight of the exact-pixel component; cos(cached, fresh) is about 1 - exactWeight^2.
    static let exactWeight = 0.05

    package static func embed(_ image: RGBImage) -> [Float] {
        guard image.isWellFormed, image.width > 0, image.height > 0 else {
            return [Float](repeating: 0, count: dimensions)
        }
        let thumb = ImageResampler.resize(image, width: thumbnailSide, height: thumbnailSide)
        let inputs = thumb.pixels.map { (Double($0) - 127.5) / 127.5 }
        var visual = [Double](repeating: 0, count: dimensions)
        var projection = ImagingRandom(seed: 0x636C_6970_2E76_3100)  // "clip.v1"
        for j in 0..<dimensions {
            var sum = 0.0
            var bits: UInt64 = 0
            for k in inputs.indices {
                if k % 64 == 0 { bits = projection.next() }
                sum += (bits >> UInt64(k % 64)) & 1 == 1 ? inputs[k] : -inputs[k]
            }
            visual[j] = sum
        }
        normalize(&visual)
        var exact = [Double](repeating: 0, count: dimensions)
        var pixelsRandom = ImagingRandom(seed: ImagingHash.hash(image.pixels) ^ UInt64(image.width) << 32 ^ UInt64(image.height))
        for j in 0..<dimensions { exact[j] = Double(Int(pixelsRandom.next() >> 11) - (1 << 52)) }
        normalize(&exact)
        var out = [Double](repeating: 0, count: dimensions)
        let visualWeight = (1 - exactWeight * exactWeight).squareRoot()
        for j in 0..<dimensions { out[j] = visualWeight * visual[j] + exactWeight * exact[j] }
        normalize(&out)
        return out.map { Float($0) }
    }

    static func normalize(_ v: inout [Double]) {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { return }
        for i in v.indices { v[i] /= norm }
    }
}

/// Cosine similarity of two embeddings; 0 when either is empty, zero or of another length.
package enum EmbeddingSimilarity {
    package static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            let x = Double(a[i]), y = Double(b[i])
            dot += x * y
            na += x * x
            nb += y * y
        }
        guard na > 0, nb > 0 else { return 0 }
        let c = dot / (na.squareRoot() * nb.squareRoot())
        return c.isFinite ? min(max(c, -1), 1) : 0
    }

    /// Whether `embedding` is a usable 512-float vector.
    static func isValid(_ embedding: [Float]) -> Bool {
        embedding.count == PseudoClipEmbedding.dimensions && embedding.allSatisfy(\.isFinite)
    }
}
