/// A bounds-checked reader of SCALE-encoded bytes (Substrate's codec). Every read throws
/// ``SCALEDecodingError`` instead of trapping, because the bytes come from the network.
struct SCALEReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int, _ what: String) throws(SCALEDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated(what: what, offset: offset) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u8(_ what: String) throws(SCALEDecodingError) -> UInt8 {
        try take(1, what).first ?? 0
    }

    /// A little-endian unsigned integer of `width` bytes (at most 8).
    mutating func uint(_ width: Int, _ what: String) throws(SCALEDecodingError) -> UInt64 {
        var value: UInt64 = 0
        for (shift, byte) in try take(width, what).enumerated() { value |= UInt64(byte) << UInt64(8 * shift) }
        return value
    }

    mutating func u16(_ what: String) throws(SCALEDecodingError) -> UInt16 { UInt16(truncatingIfNeeded: try uint(2, what)) }
    mutating func u32(_ what: String) throws(SCALEDecodingError) -> UInt32 { UInt32(truncatingIfNeeded: try uint(4, what)) }
    mutating func u64(_ what: String) throws(SCALEDecodingError) -> UInt64 { try uint(8, what) }

    /// A u128 as (high, low) halves.
    mutating func u128(_ what: String) throws(SCALEDecodingError) -> (high: UInt64, low: UInt64) {
        let low = try uint(8, what)
        let high = try uint(8, what)
        return (high, low)
    }

    mutating func bool(_ what: String) throws(SCALEDecodingError) -> Bool {
        switch try u8(what) {
        case 0: return false
        case 1: return true
        case let other: throw .invalid(what: what, offset: offset - 1, reason: "bool byte \(other)")
        }
    }

    /// `Compact<u64>` (all four modes); rejects values that do not fit in 64 bits.
    mutating func compact(_ what: String) throws(SCALEDecodingError) -> UInt64 {
        let start = offset
        let first = try u8(what)
        switch first & 0b11 {
        case 0b00:
            return UInt64(first >> 2)
        case 0b01:
            let second = try u8(what)
            return (UInt64(first) | UInt64(second) << 8) >> 2
        case 0b10:
            let rest = try uint(3, what)
            return (UInt64(first) | rest << 8) >> 2
        default:
            let length = Int(first >> 2) + 4
            guard length <= 8 else { throw .invalid(what: what, offset: start, reason: "compact integer of \(length) bytes exceeds u64") }
            return try uint(length, what)
        }
    }

    /// `Compact<u16>`, rejecting larger values.
    mutating func compactU16(_ what: String) throws(SCALEDecodingError) -> UInt16 {
        let start = offset
        let value = try compact(what)
        guard let narrow = UInt16(exactly: value) else { throw .invalid(what: what, offset: start, reason: "\(value) exceeds u16") }
        return narrow
    }

    /// A vector length, refused when even `minimumElementSize`-byte elements could not fit
    /// in the remaining bytes (so a hostile length never drives a huge allocation).
    mutating func length(_ what: String, minimumElementSize: Int) throws(SCALEDecodingError) -> Int {
        let start = offset
        let value = try compact(what)
        guard value <= UInt64(remaining / max(1, minimumElementSize)) else {
            throw .truncated(what: "\(what) (\(value) elements declared)", offset: start)
        }
        return Int(value)
    }
}

/// Why SCALE bytes could not be decoded. Decoding never yields a partial result.
package enum SCALEDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(what: String, offset: Int)
    case invalid(what: String, offset: Int, reason: String)
    case trailingBytes(count: Int)

    package var description: String {
        switch self {
        case let .truncated(what, offset): "SCALE data ends early while reading \(what) at byte \(offset)"
        case let .invalid(what, offset, reason): "invalid SCALE \(what) at byte \(offset): \(reason)"
        case let .trailingBytes(count): "\(count) unexpected bytes after the SCALE value"
        }
    }
}
