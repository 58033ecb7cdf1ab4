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
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        for byte in [UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: " ")] { table[Int(byte)] = skip }
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Marks, in ``placed``, a byte outside the alphabet.
    private static let outside: UInt32 = 0x8000_0000

    /// Four tables of 256: table `k` holds each character's 6 bits already shifted to where the
    /// `k`-th character of a group puts them in its 24 bits, so a group is four lookups ORed.
    private static let placed: [UInt32] = {
        var tables = [UInt32](repeating: outside, count: 4 * 256)
        for (value, byte) in alphabet.enumerated() {
            for k in 0..<4 { tables[k * 256 + Int(byte)] = UInt32(value) << (18 - 6 * k) }
        }
        return tables
    }()

    /// The bytes `text` encodes, or nil when it is not valid padded base64.
    static func decode(_ text: Substring) -> [UInt8]? {
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode(utf8: $0) }) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer { decode(utf8: $0) }
    }

    static func decode(utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let source = utf8.baseAddress, !utf8.isEmpty else { return [] }
        let count = utf8.count
        var failed = false
        // Room for the fast loop's eight-byte stores past the last six bytes it keeps.
        let output = [UInt8](unsafeUninitializedCapacity: count / 4 * 3 + 8) { out, written in
            guard let target = out.baseAddress else { return }
            placed.withUnsafeBufferPointer { placed in
                values.withUnsafeBufferPointer { values in
                    var index = 0
                    var length = 0
                    var group: UInt32 = 0
                    var inGroup = 0
                    var pads = 0
                    while index < count {
                        // Between groups, eight alphabet characters at a time become six bytes,
                        // stored as one word: the common case, no branch per character.
                        if inGroup == 0, pads == 0 {
                            while index + 8 <= count {
                                let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
                                let first = placed[Int(word & 0xFF)] | placed[256 + Int(word >> 8 & 0xFF)]
                                    | placed[512 + Int(word >> 16 & 0xFF)] | placed[768 + Int(word >> 24 & 0xFF)]
                                let second = placed[Int(word >> 32 & 0xFF)] | placed[256 + Int(word >> 40 & 0xFF)]
                                    | placed[512 + Int(word >> 48 & 0xFF)] | placed[768 + Int(word >> 56)]
                                guard (first | second) & outside == 0 else { break }
                                let bytes = (UInt64(first) << 40 | UInt64(second) << 16).bigEndian
                                UnsafeMutableRawPointer(target + length).storeBytes(of: bytes, as: UInt64.self)
                                length += 6
                                index += 8
                            }
                            guard index < count else { break }
                        }
                        // One character at a time: whitespace, padding, the end, and the group
                        // around them; the fast loop goes on after a whole group.
                        let value = values[Int(source[index])]
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
                                target[length] = UInt8(truncatingIfNeeded: group >> 16)
                                target[length + 1] = UInt8(truncatingIfNeeded: group >> 8)
                                target[length + 2] = UInt8(truncatingIfNeeded: group)
                                length += 3
                                group = 0
                                inGroup = 0
                            }
                        }
                    }
                    switch (inGroup, pads) {
                    case (0, 0): break
                    case (2, 2):
                        target[length] = UInt8(truncatingIfNeeded: group >> 4)
                        length += 1
                    case (3, 1):
                        target[length] = UInt8(truncatingIfNeeded: group >> 10)
                        target[length + 1] = UInt8(truncatingIfNeeded: group >> 2)
                        length += 2
                    default:
                        failed = true
                    }
                    written = length
                }
            }
        }
        return failed ? nil : output
    }
}
