/// A JSON value as Python's `json.loads` holds it: objects keep their key order, and integers
/// stay apart from floats (`1` is an `int`, `1.0` a `float`), because both show in Python's
/// `str()`, which the SDK ≤ 10 body hash is computed over.
package enum SynapseJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Canonical decimal digits (arbitrary size, as Python's `int`).
    case int(String)
    case float(Double)
    case string(String)
    case array([SynapseJSON])
    case object(Object)

    /// Key/value pairs in insertion order (a Python `dict`).
    package struct Object: Sendable, Hashable {
        package private(set) var entries: [(key: String, value: SynapseJSON)] = []
        // Key → position, so building a large (untrusted) object stays linear.
        private var positions: [String: Int] = [:]

        package init() {}

        package init(_ entries: [(String, SynapseJSON)]) {
            for (key, value) in entries { self[key] = value }
        }

        /// Setting an existing key replaces its value in place, as a `dict` does.
        package subscript(key: String) -> SynapseJSON? {
            get { positions[key].map { entries[$0].value } }
            set {
                switch (positions[key], newValue) {
                case (let i?, let value?): entries[i].value = value
                case (let i?, nil):
                    entries.remove(at: i)
                    positions = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.key, $0) })
                case (nil, let value?):
                    positions[key] = entries.count
                    entries.append((key, value))
                case (nil, nil): break
                }
            }
        }

        package var keys: [String] { entries.map(\.key) }
        package var isEmpty: Bool { entries.isEmpty }
        package var count: Int { entries.count }

        package static func == (lhs: Object, rhs: Object) -> Bool {
            lhs.entries.count == rhs.entries.count
                && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        }

        package func hash(into hasher: inout Hasher) {
            hasher.combine(entries.count)
            for entry in entries {
                hasher.combine(entry.key)
                hasher.combine(entry.value)
            }
        }
    }

    package static func int(_ value: some BinaryInteger) -> SynapseJSON { .int(String(value)) }

    package var objectValue: Object? {
        if case .object(let object) = self { return object }
        return nil
    }

    package var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// Ints and floats as a Double.
    package var doubleValue: Double? {
        switch self {
        case .int(let digits): Double(digits)
        case .float(let value): value
        default: nil
        }
    }

    /// An int that fits in Int64.
    package var int64Value: Int64? {
        if case .int(let digits) = self { return Int64(digits) }
        return nil
    }
}

/// Why bytes are not a JSON document Python's `json.loads` would accept (and we can hold).
package struct SynapseJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    package var offset: Int
    package var reason: String
    package var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

// MARK: - Parsing

extension SynapseJSON {
    /// Parses as Python's `json.loads` does (also `NaN`, `Infinity`, `-Infinity`; a repeated key
    /// keeps its first position and its last value). Lone surrogates are refused: Python keeps
    /// them, but cannot hash or send them as UTF-8 either.
    package static func parse(_ bytes: some Collection<UInt8>) throws(SynapseJSONError) -> SynapseJSON {
        var parser = Parser(bytes: Array(bytes))
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("extra data after the document") }
        return value
    }

    package static func parse(_ text: String) throws(SynapseJSONError) -> SynapseJSON {
        try parse(Array(text.utf8))
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        // Python's default recursion limit stops around here as well.
        static let maximumDepth = 500

        init(bytes: [UInt8]) { self.bytes = bytes }

        func error(_ reason: String) -> SynapseJSONError { SynapseJSONError(offset: index, reason: reason) }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = text.withUTF8Buffer { buffer in
                (0..<count).allSatisfy { bytes[index + $0] == buffer[$0] }
            }
            if matches { index += count }
            return matches
        }

        mutating func value(depth: Int) throws(SynapseJSONError) -> SynapseJSON {
            guard depth < Self.maximumDepth else { throw error("nested too deeply") }
            guard let b = peek else { throw error("expected a value") }
            switch b {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "n"): if literal("null") { return .null }
            case UInt8(ascii: "t"): if literal("true") { return .bool(true) }
            case UInt8(ascii: "f"): if literal("false") { return .bool(false) }
            case UInt8(ascii: "N"): if literal("NaN") { return .float(.nan) }
            case UInt8(ascii: "I"): if literal("Infinity") { return .float(.infinity) }
            case UInt8(ascii: "-"):
                if literal("-Infinity") { return .float(-.infinity) }
                return try number()
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: break
            }
            throw error("expected a value")
        }

        mutating func object(depth: Int) throws(SynapseJSONError) -> SynapseJSON {
            index += 1
            var object = Object()
            skipWhitespace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return .object(object)
            }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a key in double quotes") }
                let key = try string()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipWhitespace()
                object[key] = try value(depth: depth + 1)
                skipWhitespace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return .object(object)
                default: throw error("expected ',' or '}'")
                }
            }
        }

        mutating func array(depth: Int) throws(SynapseJSONError) -> SynapseJSON {
            index += 1
            var items: [SynapseJSON] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return .array(items)
                default: throw error("expected ',' or ']'")
                }
            }
        }

        mutating func string() throws(SynapseJSONError) -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flush(_ end: Int) throws(SynapseJSONError) {
                guard runStart < end else { return }
                guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                    throw SynapseJSONError(offset: runStart, reason: "invalid UTF-8 in a string")
                }
                scalars.append(contentsOf: run.unicodeScalars)
            }
            while true {
                guard let b = peek else { throw error("unterminated string") }
                switch b {
                case UInt8(ascii: "\""):
                    try flush(index)
                    index += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    try flush(index)
                    index += 1
                    scalars.append(try escape())
                    runStart = index
                case 0..<0x20:
                    throw error("control character in a string")
                default:
                    index += 1
                }
            }
        }

        mutating func escape() throws(SynapseJSONError) -> Unicode.Scalar {
            guard let b = peek else { throw error("unterminated escape") }
            index += 1
            switch b {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let unit = try hex4()
                if (0xD800..<0xDC00).contains(unit) {
                    guard literal("\\u") else { throw error("lone surrogate") }
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("lone surrogate") }
                    // Two UTF-16 halves always combine into a valid scalar.
                    return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
                }
                guard let scalar = Unicode.Scalar(unit) else { throw error("lone surrogate") }
                return scalar
            default:
                index -= 1
                throw error("invalid escape")
            }
        }

        mutating func hex4() throws(SynapseJSONError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        /// Python's grammar: `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`; a fraction or exponent
        /// makes a float.
        mutating func number() throws(SynapseJSONError) -> SynapseJSON {
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw error("expected a digit") }
            if first == UInt8(ascii: "0") {
                index += 1
            } else {
                skipDigits()
            }
            let integerEnd = index
            var isFloat = false
            if peek == UInt8(ascii: "."), index + 1 < bytes.count, Self.isDigit(bytes[index + 1]) {
                index += 1
                skipDigits()
                isFloat = true
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                var probe = index + 1
                if probe < bytes.count, bytes[probe] == UInt8(ascii: "+") || bytes[probe] == UInt8(ascii: "-") { probe += 1 }
                if probe < bytes.count, Self.isDigit(bytes[probe]) {
                    index = probe
                    skipDigits()
                    isFloat = true
                }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isFloat {
                // Correctly rounded, as Python's float(); overflow gives ±inf there too.
                guard let value = Double(text) else { throw SynapseJSONError(offset: start, reason: "unreadable number") }
                return .float(value)
            }
            var digits = String(decoding: bytes[start..<integerEnd], as: UTF8.self)
            if digits == "-0" { digits = "0" }
            return .int(digits)
        }

        mutating func skipDigits() {
            while let b = peek, Self.isDigit(b) { index += 1 }
        }

        static func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
    }
}

// MARK: - Writing

extension SynapseJSON {
    /// Compact JSON (no spaces, UTF-8 unescaped), the form FastAPI answers with. Floats are
    /// written as Python's `repr` (so they read back to the same float); non-finite ones as
    /// `NaN`/`Infinity`, which Python reads.
    package var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    package var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }

    package func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .int(let digits): out += Array(digits.utf8)
        case .float(let value):
            if value.isNaN {
                out += Array("NaN".utf8)
            } else if value.isInfinite {
                out += Array((value < 0 ? "-Infinity" : "Infinity").utf8)
            } else {
                out += Array(PythonStr.floatRepr(value).utf8)
            }
        case .string(let string): Self.writeString(string, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, entry) in object.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                entry.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ string: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in string.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
