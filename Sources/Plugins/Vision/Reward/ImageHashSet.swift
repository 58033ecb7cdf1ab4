/// The four perceptual hashes of one image as imagehash prints them (lowercase hex):
/// `average_hash`, `phash`, `dhash` and `colorhash` with their default sizes.
///
/// Keys: `average_hash`, `phash`, `dhash`, `colorhash` in the Organic wire format;
/// `average_hash`, `perceptual_hash`, `difference_hash`, `color_hash` in nineteen's. Either is
/// read (a missing hash reads as ""); ``wireFormat`` says which is written.
///
/// This is what an NSFW-flagging miner reports instead of the image, and what
/// `organic image hash` prints. When a miner sends the image, the validator computes these
/// itself and ignores any hashes the miner reported.
package struct ImageHashSet: Codable, Sendable, Hashable {
    package var average: String
    package var perceptual: String
    package var difference: String
    package var color: String
    /// How the hashes are written; read back from the keys.
    package var wireFormat: MinerWireFormat

    package init(average: String, perceptual: String, difference: String, color: String, wireFormat: MinerWireFormat = .organic) {
        self.average = average
        self.perceptual = perceptual
        self.difference = difference
        self.color = color
        self.wireFormat = wireFormat
    }

    enum CodingKeys: String, CodingKey {
        case average = "average_hash"
        case perceptual = "phash"
        case difference = "dhash"
        case color = "colorhash"
        case nineteenPerceptual = "perceptual_hash"
        case nineteenDifference = "difference_hash"
        case nineteenColor = "color_hash"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        wireFormat = c.contains(.nineteenPerceptual) || c.contains(.nineteenDifference) || c.contains(.nineteenColor) ? .nineteen : .organic
        let keys: (CodingKeys, CodingKeys, CodingKeys) = wireFormat == .nineteen
            ? (.nineteenPerceptual, .nineteenDifference, .nineteenColor) : (.perceptual, .difference, .color)
        average = try c.decodeIfPresent(String.self, forKey: .average) ?? ""
        perceptual = try c.decodeIfPresent(String.self, forKey: keys.0) ?? ""
        difference = try c.decodeIfPresent(String.self, forKey: keys.1) ?? ""
        color = try c.decodeIfPresent(String.self, forKey: keys.2) ?? ""
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let nineteen = wireFormat == .nineteen
        try c.encode(average, forKey: .average)
        try c.encode(perceptual, forKey: nineteen ? .nineteenPerceptual : .perceptual)
        try c.encode(difference, forKey: nineteen ? .nineteenDifference : .difference)
        try c.encode(color, forKey: nineteen ? .nineteenColor : .color)
    }

    /// Bits in each hash at imagehash's defaults (8x8 hashes, colorhash with 3 bits per bin).
    static let bitCounts = (average: 64, perceptual: 64, difference: 64, color: 42)

    /// Whether every hash has the length imagehash prints at its defaults.
    var isWellFormed: Bool {
        Self.hexDigits(average) == 16 && Self.hexDigits(perceptual) == 16 && Self.hexDigits(difference) == 16
            && Self.hexDigits(color) == 11
    }

    static func hexDigits(_ s: String) -> Int? {
        s.utf8.allSatisfy { Self.nibble($0) != nil } ? s.utf8.count : nil
    }

    /// Hamming distance between two hex strings of equal length; nil when they cannot be compared.
    static func distance(_ a: String, _ b: String) -> Int? {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return nil }
        var total = 0
        for i in x.indices {
            guard let p = nibble(x[i]), let q = nibble(y[i]) else { return nil }
            total += (p ^ q).nonzeroBitCount
        }
        return total
    }

    static func nibble(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(c - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(c - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
