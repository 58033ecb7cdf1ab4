/// Standard base64 (RFC 4648 §4, padded) from a JSON string field straight to bytes, in one pass
/// over the text's UTF-8: images arrive as megabytes of base64, and checking the alphabet, copying
/// the text and then decoding it through `Data` cost more than decoding the picture's header.
///
/// Carriage returns, line feeds and spaces are skipped anywhere (wrapped base64 from mail tools);
/// anything else outside the alphabet, padding before the end, or a length that is not a whole
/// number of 4-character groups makes the text invalid.
enum Base64Text {
    private static let skip: UInt8 = 0xFE
    private static let pad: UInt8 = 0xFD
    private static let invalid: UInt8 = 0xFF

    /// Each byte's 6-bit value, or ``skip``, ``pad`` or ``invalid``.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        for byte in [UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: " ")] { table[Int(byte)] = skip }
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()

    /// The bytes `text` encodes, or nil when it is not valid padded base64.
    static func decode(_ text: Substring) -> [UInt8]? {
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode(utf8: $0) }) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer { decode(utf8: $0) }
    }

    static func decode(utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = utf8.count
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: count / 4 * 3 + 3) { out, written in
            values.withUnsafeBufferPointer { table in
                var index = 0
                var length = 0
                // Whole groups of four alphabet characters: the common case, no branches per character.
                while index + 4 <= count {
                    let a = table[Int(utf8[index])], b = table[Int(utf8[index + 1])]
                    let c = table[Int(utf8[index + 2])], d = table[Int(utf8[index + 3])]
                    guard (a | b | c | d) < 64 else { break }
                    out[length] = a << 2 | b >> 4
                    out[length + 1] = b << 4 | c >> 2
                    out[length + 2] = c << 6 | d
                    length += 3
                    index += 4
                }
                // The rest, one character at a time: whitespace, padding and the end.
                var group: UInt32 = 0
                var inGroup = 0
                var pads = 0
                while index < count {
                    let value = table[Int(utf8[index])]
                    index += 1
                    switch value {
                    case skip:
                        continue
                    case pad:
                        pads += 1
                    case invalid:
                        failed = true
                        return
                    default:
                        // A character after padding.
                        guard pads == 0 else {
                            failed = true
                            return
                        }
                        group = group << 6 | UInt32(value)
                        inGroup += 1
                        if inGroup == 4 {
                            out[length] = UInt8(truncatingIfNeeded: group >> 16)
                            out[length + 1] = UInt8(truncatingIfNeeded: group >> 8)
                            out[length + 2] = UInt8(truncatingIfNeeded: group)
                            length += 3
                            group = 0
                            inGroup = 0
                        }
                    }
                }
                switch (inGroup, pads) {
                case (0, 0): break
                case (2, 2):
                    out[length] = UInt8(truncatingIfNeeded: group >> 4)
                    length += 1
                case (3, 1):
                    out[length] = UInt8(truncatingIfNeeded: group >> 10)
                    out[length + 1] = UInt8(truncatingIfNeeded: group >> 2)
                    length += 2
                default:
                    failed = true
                }
                written = length
            }
        }
        return failed ? nil : output
    }
}
