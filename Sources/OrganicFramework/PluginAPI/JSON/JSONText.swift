/// How the node writes JSON scalars, shared by ``DirectJSONEncoder`` and ``JSONWriter`` so both
/// write the same text: Foundation's number forms and string escapes (without escaping slashes).
enum JSONText {
    static func null(into bytes: inout [UInt8]) { bytes.append(contentsOf: "null".utf8) }

    static func bool(_ value: Bool, into bytes: inout [UInt8]) { bytes.append(contentsOf: value ? "true".utf8 : "false".utf8) }

    /// Decimal digits written in place: through `String` each integer cost a conversion and a
    /// copy, and a chat chunk has a few (`created`, `index`, a token's `bytes`).
    static func integer(_ value: some BinaryInteger, into bytes: inout [UInt8]) {
        guard var magnitude = UInt64(exactly: value.magnitude) else {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        guard magnitude >= 10 else {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude))
            return
        }
        // UInt64.max has 20 digits.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            while magnitude > 0 {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Swift's shortest round-trip form without a trailing ".0", as Foundation writes it.
    static func number(_ text: String, into bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            let count = utf8.count >= 2 && utf8[utf8.count - 2] == UInt8(ascii: ".") && utf8[utf8.count - 1] == UInt8(ascii: "0")
                ? utf8.count - 2 : utf8.count
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[..<count]))
        }
    }

    static func string(_ value: String, into bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { string($0, into: &bytes) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Foundation's escapes (without escaping slashes): quote, backslash, the short forms of
    /// control characters and `\u00XX` for the others; everything else as UTF-8.
    static func string(_ utf8: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        // A long string (a base64 image) gets room for itself and a little of what follows, so
        // that the closing quote does not make the array grow and copy megabytes once more.
        if utf8.count > 4096, bytes.capacity - bytes.count < utf8.count + 2 {
            bytes.reserveCapacity(bytes.count + utf8.count + utf8.count / 16 + 256)
        }
        bytes.append(UInt8(ascii: "\""))
        var index = 0
        while true {
            let run = JSONByteScan.plainRun(utf8, from: index, nonASCII: true)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[index..<(index + run)]))
            index += run
            guard index < utf8.count else { break }
            let byte = utf8[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            default:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
