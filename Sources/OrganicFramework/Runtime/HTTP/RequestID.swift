import HTTPTypes
import Synchronization

/// Every request's id, returned in `X-Request-Id` and logged as `request_id`.
///
/// A caller's own `X-Request-Id` is kept when it is short and plain (1 to ``maxLength`` of
/// `A-Z a-z 0-9 - _ . :`), so that it can be followed through the caller's logs and ours;
/// anything else (too long, spaces, quotes, control characters) is replaced, because the id
/// is written into logs and headers verbatim.
enum RequestID {
    static let header = HTTPField.Name("X-Request-Id") ?? .via
    static let maxLength = 128

    /// The caller's id when it is safe to keep, else nil.
    static func accepted(_ presented: String?) -> String? {
        guard let presented, (1...maxLength).contains(presented.utf8.count),
              presented.utf8.allSatisfy(isAllowed) else { return nil }
        return presented
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
            true
        default:
            false
        }
    }

    /// A new id: 32 lowercase hex digits, a random per-process half and a counter half, so ids
    /// are unique across restarts and nodes without a random draw per request.
    static func generate() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<32 {
                let value = index < 16 ? processPart : number
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * (index % 16))) & 0xF
                buffer[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return 32
        }
    }

    private static let processPart = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)
}
