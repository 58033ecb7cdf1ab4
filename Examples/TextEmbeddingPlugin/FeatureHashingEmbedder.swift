/// The reference miner's embedder: signed feature hashing of words and character trigrams,
/// keyed by the request's seed, then L2-normalised.
///
/// Two honest miners with the same seed produce the same vector (up to tiny float noise);
/// a different seed gives an unrelated vector, so a cached or relayed answer scores low.
public enum FeatureHashingEmbedder {
    public static func embed(_ text: String, dimensions: Int, seed: UInt64) -> [Float] {
        var vector = [Float](repeating: 0, count: max(dimensions, 1))
        let lowered = text.lowercased()
        for word in lowered.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            add(Array(word.utf8), weight: 1, seed: seed, into: &vector)
        }
        let bytes = Array(lowered.utf8)
        if bytes.count >= 3 {
            for i in 0...(bytes.count - 3) {
                add(Array(bytes[i..<i + 3]), weight: 0.5, seed: seed &+ 1, into: &vector)
            }
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { for i in vector.indices { vector[i] /= norm } }
        return vector
    }

    static func add(_ feature: [UInt8], weight: Float, seed: UInt64, into vector: inout [Float]) {
        let h = fnv1a(feature, seed: seed)
        let index = Int(h % UInt64(vector.count))
        vector[index] += (h >> 63) == 0 ? weight : -weight
    }

    /// 64-bit FNV-1a with the seed folded into the offset basis.
    static func fnv1a(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (seed &* 0x9E37_79B9_7F4A_7C15)
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        // Final avalanche so that the sign bit depends on every input byte.
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }

    /// Cosine similarity of two vectors; 0 when either is empty, zero or they differ in length.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            dot += Double(a[i]) * Double(b[i])
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        guard na > 0, nb > 0 else { return 0 }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
