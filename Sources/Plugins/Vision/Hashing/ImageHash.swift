/// A perceptual hash as a flat bit array, laid out exactly like imagehash's
/// `hash.flatten()` so that `hexString` equals Python's `str(imagehash_obj)`.
package struct ImageHash: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Row-major bits (imagehash's `hash.flatten()`).
    package let bits: [Bool]

    package init(bits: [Bool]) {
        self.bits = bits
    }

    /// imagehash's hex form: the bits read as one big-endian binary number, zero-padded
    /// on the left to `ceil(bitCount / 4)` digits (so a 42-bit colorhash has 11 digits).
    package var hexString: String {
        let digitCount = (bits.count + 3) / 4
        let padding = digitCount * 4 - bits.count
        let alphabet = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(digitCount)
        var nibble = 0
        for index in 0..<(digitCount * 4) {
            let bitIndex = index - padding
            nibble = (nibble << 1) | (bitIndex >= 0 && bits[bitIndex] ? 1 : 0)
            if index % 4 == 3 {
                out.append(alphabet[nibble])
                nibble = 0
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    package var description: String { hexString }

    /// Parses `hexString` output back. Returns nil unless the string has exactly
    /// `ceil(bitCount / 4)` hex digits and the left padding bits are zero, so every
    /// accepted string round-trips to itself (case aside).
    package init?(hexString: String, bitCount: Int) {
        guard bitCount > 0 else { return nil }
        let digits = Array(hexString.utf8)
        let digitCount = (bitCount + 3) / 4
        guard digits.count == digitCount else { return nil }
        let padding = digitCount * 4 - bitCount
        var result = [Bool]()
        result.reserveCapacity(bitCount)
        for (position, char) in digits.enumerated() {
            guard let value = Self.hexValue(char) else { return nil }
            for shift in stride(from: 3, through: 0, by: -1) {
                let bit = (value >> shift) & 1 == 1
                if position * 4 + (3 - shift) < padding {
                    if bit { return nil }
                } else {
                    result.append(bit)
                }
            }
        }
        self.bits = result
    }

    private static func hexValue(_ char: UInt8) -> Int? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(char - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(char - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(char - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    /// Hamming distance, like imagehash's `a - b`. imagehash raises on different sizes;
    /// here every bit present in only one of the hashes counts as a difference instead,
    /// so comparing mismatched hashes never crashes a scoring loop.
    package static func - (lhs: ImageHash, rhs: ImageHash) -> Int {
        let shared = min(lhs.bits.count, rhs.bits.count)
        var distance = max(lhs.bits.count, rhs.bits.count) - shared
        for index in 0..<shared where lhs.bits[index] != rhs.bits[index] {
            distance += 1
        }
        return distance
    }

    // Codable as {"hex": ..., "bitCount": ...}: compact, readable in stored results,
    // and unambiguous for bit counts that are not a multiple of four.
    private enum CodingKeys: String, CodingKey {
        case hex
        case bitCount
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let hex = try container.decode(String.self, forKey: .hex)
        let bitCount = try container.decode(Int.self, forKey: .bitCount)
        guard let parsed = ImageHash(hexString: hex, bitCount: bitCount) else {
            throw DecodingError.dataCorruptedError(
                forKey: .hex, in: container,
                debugDescription: "invalid \(bitCount)-bit image hash hex string")
        }
        self = parsed
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hexString, forKey: .hex)
        try container.encode(bits.count, forKey: .bitCount)
    }
}
