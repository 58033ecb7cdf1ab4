/// An RFC 8259 syntax check run on every request body before it is decoded.
///
/// Foundation's `JSONDecoder` is lenient: it accepts trailing commas, UTF-16 and UTF-32 bodies
/// and repeated keys (keeping the first). A body that one parser reads one way and another
/// (a proxy, a log pipeline, the miner) reads differently is a classic source of confusion, so
/// the public API takes exactly RFC 8259 JSON in UTF-8: no byte-order mark, no trailing commas,
/// no repeated keys in an object, no comments, nesting at most ``maximumDepth`` deep.
package enum StrictJSON {
    /// Deeper bodies are refused before any recursive decoder sees them.
    static let maximumDepth = 64

    package struct Violation: Error, Equatable, CustomStringConvertible {
        /// Offset of the offending byte in the body.
        package var offset: Int
        package var reason: String
        package var description: String { "\(reason) at byte \(offset)" }
    }

    package static func validate(_ bytes: some Collection<UInt8>) throws(Violation) {
        var sink = NoTokens()
        try scan(bytes, into: &sink)
    }

    /// Checks `bytes` and reports every value, in document order, to `sink`.
    static func scan<Sink: StrictJSONSink>(_ bytes: some Collection<UInt8>, into sink: inout Sink) throws(Violation) {
        func run(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<Void, Violation> {
            var scanner = Scanner(bytes: buffer, sink: sink)
            defer { sink = scanner.sink }
            do throws(Violation) {
                try scanner.document()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        let outcome = bytes.withContiguousStorageIfAvailable(run) ?? Array(bytes).withUnsafeBufferPointer(run)
        try outcome.get()
    }

    /// A sink that keeps nothing: plain validation.
    struct NoTokens: StrictJSONSink {
        mutating func scalar(_ kind: JSONTokenKind, offset: Int, length: Int, escaped: Bool) {}
        mutating func open(_ kind: JSONTokenKind, offset: Int) -> Int { 0 }
        mutating func close(_ container: Int, count: Int) {}
    }

    /// The keys of one object so far, as byte ranges, for the repeated-key check. The first eight
    /// are kept in place: most objects have no more, and an array per object was a quarter of the
    /// scan's cost on a stream's small events.
    private struct ObjectKeys {
        private var first = InlineArray<8, Range<Int>>(repeating: 0..<0)
        private var count = 0
        private var more: [Range<Int>] = []

        /// Adds `key`; false when the object already has a key of the same bytes.
        mutating func insert(_ key: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            func same(_ other: Range<Int>) -> Bool {
                other.count == key.count && bytes[other].elementsEqual(bytes[key])
            }
            for i in 0..<min(count, first.count) where same(first[i]) { return false }
            if more.contains(where: same) { return false }
            if count < first.count { first[count] = key } else { more.append(key) }
            count += 1
            return true
        }
    }

    private struct Scanner<Sink: StrictJSONSink> {
        let bytes: UnsafeBufferPointer<UInt8>
        var sink: Sink
        var index = 0
        var depth = 0

        init(bytes: UnsafeBufferPointer<UInt8>, sink: Sink) {
            self.bytes = bytes
            self.sink = sink
        }

        func fail(_ reason: String) -> Violation { Violation(offset: index, reason: reason) }

        mutating func document() throws(Violation) {
            if bytes.count >= 2, (bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE) {
                throw fail("UTF-16 is not accepted; send UTF-8")
            }
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { throw fail("a byte-order mark is not allowed") }
            skipSpace()
            try value()
            skipSpace()
            if index < bytes.count { throw fail("unexpected data after the JSON value") }
        }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value() throws(Violation) {
            guard index < bytes.count else { throw fail("unexpected end of the body") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object()
            case UInt8(ascii: "["): try array()
            case UInt8(ascii: "\""): try stringToken()
            case UInt8(ascii: "t"): try literal("true", .true)
            case UInt8(ascii: "f"): try literal("false", .false)
            case UInt8(ascii: "n"): try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                try number()
                sink.scalar(.number, offset: start, length: index - start, escaped: false)
            case 0x00: throw fail("UTF-16 or UTF-32 is not accepted; send UTF-8")
            default: throw fail("unexpected character")
            }
        }

        mutating func enter() throws(Violation) {
            depth += 1
            if depth > StrictJSON.maximumDepth { throw fail("nesting deeper than \(StrictJSON.maximumDepth)") }
        }

        /// Steps into a container at its opening bracket; true (and left again) when it is empty.
        mutating func opensEmpty(_ closer: UInt8, token: Int) throws(Violation) -> Bool {
            try enter()
            index += 1
            skipSpace()
            guard index < bytes.count, bytes[index] == closer else { return false }
            index += 1
            depth -= 1
            sink.close(token, count: 0)
            return true
        }

        mutating func object() throws(Violation) {
            let token = sink.open(.object, offset: index)
            if try opensEmpty(UInt8(ascii: "}"), token: token) { return }
            var count = 0
            var keys = ObjectKeys()
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw fail(index < bytes.count && bytes[index] == UInt8(ascii: "}") ? "trailing comma" : "expected a quoted key")
                }
                let start = index
                try stringToken()
                guard keys.insert(start..<index, in: bytes) else {
                    index = start
                    throw fail("repeated key")
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipSpace()
                try value()
                count += 1
                if try closes(UInt8(ascii: "}")) {
                    sink.close(token, count: count)
                    return
                }
            }
        }

        /// After a member: true (and the container left) at its closing bracket, false after a
        /// comma, which must be followed by another member.
        mutating func closes(_ closer: UInt8) throws(Violation) -> Bool {
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of the body") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                return false
            }
            guard bytes[index] == closer else { throw fail("expected ',' or '\(Character(Unicode.Scalar(closer)))'") }
            index += 1
            depth -= 1
            return true
        }

        mutating func array() throws(Violation) {
            let token = sink.open(.array, offset: index)
            if try opensEmpty(UInt8(ascii: "]"), token: token) { return }
            var count = 0
            while true {
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { throw fail("trailing comma") }
                try value()
                count += 1
                if try closes(UInt8(ascii: "]")) {
                    sink.close(token, count: count)
                    return
                }
            }
        }

        mutating func literal(_ word: StaticString, _ kind: JSONTokenKind) throws(Violation) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail("unexpected end of the body") }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
            guard bytes[index..<(index + count)].elementsEqual(expected) else { throw fail("unexpected character") }
            sink.scalar(kind, offset: index, length: count, escaped: false)
            index += count
        }

        /// A string value or key, reported without its quotes.
        mutating func stringToken() throws(Violation) {
            let start = index + 1
            let escaped = try string()
            sink.scalar(.string, offset: start, length: index - 1 - start, escaped: escaped)
        }

        mutating func number() throws(Violation) {
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if index < bytes.count, isDigit(bytes[index]) { throw fail("leading zero in a number") }
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        func isHex(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
        }

        /// A string: escapes as RFC 8259 lists them, no raw control characters, valid UTF-8
        /// (shortest forms only, no surrogates), escaped surrogates in pairs. True when it holds an escape.
        mutating func string() throws(Violation) -> Bool {
            index += 1
            var escaped = false
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return escaped
                case UInt8(ascii: "\\"):
                    escaped = true
                    try escape()
                case 0x00..<0x20:
                    throw fail("control character in a string")
                case 0x20..<0x80:
                    index += 1 + JSONByteScan.plainRun(bytes, from: index + 1, nonASCII: false)
                default:
                    try utf8Sequence()
                }
            }
            throw fail("unterminated string")
        }

        mutating func escape() throws(Violation) {
            guard index + 1 < bytes.count else { throw fail("unterminated string") }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 2
            case UInt8(ascii: "u"):
                let unit = try hexUnit(at: index + 2)
                index += 6
                if (0xD800..<0xDC00).contains(unit) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                          (0xDC00..<0xE000).contains(try hexUnit(at: index + 2)) else { throw fail("unpaired surrogate escape") }
                    index += 6
                } else if (0xDC00..<0xE000).contains(unit) {
                    throw fail("unpaired surrogate escape")
                }
            default:
                throw fail("invalid escape")
            }
        }

        func hexUnit(at position: Int) throws(Violation) -> UInt16 {
            guard position + 4 <= bytes.count else { throw Violation(offset: position, reason: "invalid \\u escape") }
            var unit: UInt16 = 0
            for byte in bytes[position..<(position + 4)] {
                guard isHex(byte) else { throw Violation(offset: position, reason: "invalid \\u escape") }
                let digit = byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : (byte | 0x20) - UInt8(ascii: "a") + 10
                unit = unit << 4 | UInt16(digit)
            }
            return unit
        }

        /// One multi-byte UTF-8 sequence (RFC 3629 table), or a violation.
        mutating func utf8Sequence() throws(Violation) {
            let lead = bytes[index]
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: throw fail("invalid UTF-8")
            }
            guard index + length <= bytes.count else { throw fail("invalid UTF-8") }
            guard (low...high).contains(bytes[index + 1]) else { throw fail("invalid UTF-8") }
            for offset in 2..<max(length, 2) where !(0x80...0xBF).contains(bytes[index + offset]) { throw fail("invalid UTF-8") }
            index += length
        }
    }
}
