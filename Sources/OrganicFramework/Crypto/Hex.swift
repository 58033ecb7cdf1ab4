/// Lowercase hex encoding and lenient-prefix decoding.
///
/// Bittensor tooling writes keys and signatures as `0x`-prefixed lowercase hex,
/// so decoding accepts an optional `0x`/`0X` prefix and either letter case.
package enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Decodes hex text (optional `0x` prefix, either case). Empty input gives `[]`.
    package static func decode(_ s: String) throws -> [UInt8] {
        var utf8 = Array(s.utf8)
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X") {
            utf8.removeFirst(2)
        }
        guard utf8.count % 2 == 0 else { throw CryptoError.badHex("odd number of digits (\(utf8.count))") }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else {
                throw CryptoError.badHex("non-hex character at offset \(i)")
            }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// Decodes hex and requires an exact byte length.
    static func decode(_ s: String, length: Int, what: String) throws -> [UInt8] {
        let bytes = try decode(s)
        guard bytes.count == length else { throw CryptoError.badLength(what: what, expected: length, actual: bytes.count) }
        return bytes
    }

    /// Lowercase hex, optionally with a `0x` prefix (the form used in `X-Bittensor-Signature`).
    package static func encode(_ b: some Sequence<UInt8>, prefix0x: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(b.underestimatedCount * 2 + 2)
        if prefix0x { out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: "x")]) }
        for byte in b {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
