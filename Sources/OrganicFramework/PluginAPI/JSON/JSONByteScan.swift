/// Finds, eight bytes at a time, where a run of JSON string bytes that need no attention ends:
/// strings in answers and miner requests are often megabytes of base64, and a byte-by-byte
/// switch over them cost more than the rest of the request.
enum JSONByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// How many leading bytes of `bytes[from...]` are neither `"`, `\` nor control characters,
    /// and, unless `nonASCII` is true, below 0x80.
    @inline(__always)
    static func plainRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, nonASCII: Bool) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let end = bytes.count
        var index = start
        while index + 8 <= end {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // Per byte, the high bit is set where a byte is zero (quote/backslash) or below 0x20;
            // exact as a whole-word test, which is all that is asked.
            var special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
            if !nonASCII { special |= word }
            if special & highs != 0 { break }
            index += 8
        }
        while index < end {
            let byte = base[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 || (!nonASCII && byte >= 0x80) { break }
            index += 1
        }
        return index - start
    }
}
