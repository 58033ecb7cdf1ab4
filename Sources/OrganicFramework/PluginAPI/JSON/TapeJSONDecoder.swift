import Foundation

/// Decodes `Decodable` values from strict JSON (``StrictJSON``: RFC 8259, UTF-8, no repeated
/// keys) by walking a ``JSONTape`` of the document instead of building a tree of values.
///
/// It exists for the request path: a miner's answer is decoded on every request, and
/// Foundation's `JSONDecoder` spends most of a proxy hop's CPU on number-heavy answers
/// (embeddings). Results equal `JSONDecoder()`'s with its default strategies for every document
/// both accept (tests compare them); this decoder also refuses what ``StrictJSON`` refuses.
/// Arrays of numbers and strings, and numbers with few digits, take direct paths.
package struct TapeJSONDecoder {
    package init() {}

    package func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try decode(T.self, from: bytes, tape: try JSONTape.parseForDecoding(bytes))
    }

    /// Decodes a document already checked and tokenized by ``JSONTape/parse(_:)``.
    package func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], tape: JSONTape) throws -> T {
        try TapeDocument(bytes: bytes, tokens: tape.tokens).decode(T.self, at: 0)
    }
}

/// An object member's name as a coding key, in a coding path rebuilt from the tape.
struct TapeNameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { nil }
}

/// An array position as a coding key (Foundation's `Index n`).
struct TapeIndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.init(intValue) }
}

/// The key of `superDecoder()`.
struct TapeSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

/// The document being decoded: its bytes and tokens, shared by every container.
///
/// What a ``JSONReader`` walks per member is inlinable, so a plugin's reader compiles to a loop
/// over the tokens with its member names compared in place.
@usableFromInline
final class TapeDocument {
    @usableFromInline let bytes: [UInt8]
    @usableFromInline let tokens: [JSONTapeToken]

    init(bytes: [UInt8], tokens: [JSONTapeToken]) {
        self.bytes = bytes
        self.tokens = tokens
    }

    @inlinable @inline(__always)
    func after(_ index: Int) -> Int {
        let token = tokens[index]
        return token.kind == .object || token.kind == .array ? Int(token.next) : index + 1
    }

    // MARK: Values

    func decode<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        // Direct paths for the shapes that dominate answers; the casts are no-ops (same type).
        if T.self == Float.self { return unsafeBitCast(try floatingPoint(Float.self, at: index), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try floatingPoint(Double.self, at: index), to: T.self) }
        if T.self == String.self { return unsafeBitCast(try string(at: index), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(Int.self, at: index), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(at: index), to: T.self) }
        if T.self == [Float].self { return unsafeBitCast(try array(of: Float.self, at: index), to: T.self) }
        if T.self == [Double].self { return unsafeBitCast(try array(of: Double.self, at: index), to: T.self) }
        if T.self == [[Float]].self { return unsafeBitCast(try nestedArray(of: Float.self, at: index), to: T.self) }
        if T.self == [[Double]].self { return unsafeBitCast(try nestedArray(of: Double.self, at: index), to: T.self) }
        if T.self == [String].self { return unsafeBitCast(try array(of: String.self, at: index), to: T.self) }
        if T.self == [Int].self { return unsafeBitCast(try integers(of: Int.self, at: index), to: T.self) }
        if T.self == [UInt8].self { return unsafeBitCast(try integers(of: UInt8.self, at: index), to: T.self) }
        // Foundation's JSONDecoder reads these from strings and numbers, not through their own Codable.
        if T.self == Data.self { return unsafeBitCast(try data(at: index), to: T.self) }
        if T.self == URL.self { return unsafeBitCast(try url(at: index), to: T.self) }
        if T.self == Decimal.self { return unsafeBitCast(try decimal(at: index), to: T.self) }
        return try T(from: TapeDecoder(document: self, index: index))
    }

    func array<T: Decodable>(of type: T.Type, at index: Int) throws -> [T] {
        try elements(at: index) { try decode(T.self, at: $0) }
    }

    /// Integers read straight from their tokens (token `bytes`, small ids), never through `T(from:)`.
    func integers<I: FixedWidthInteger & Decodable>(of type: I.Type, at index: Int) throws -> [I] {
        try elements(at: index) { try integer(I.self, at: $0) }
    }

    func nestedArray<T: Decodable>(of type: T.Type, at index: Int) throws -> [[T]] {
        try elements(at: index) { try array(of: T.self, at: $0) }
    }

    /// The elements of the array at `index`, each read by `read` from its token.
    @inline(__always)
    private func elements<T>(at index: Int, _ read: (Int) throws -> T) throws -> [T] {
        let token = tokens[index]
        guard token.kind == .array else { throw mismatch([T].self, at: index) }
        var result: [T] = []
        result.reserveCapacity(Int(token.length))
        var element = index + 1
        for _ in 0..<Int(token.length) {
            result.append(try read(element))
            element = after(element)
        }
        return result
    }

    /// The coding path of the value at `target`, rebuilt by walking down from the root. Decoding
    /// keeps no path (one would cost an allocation per member); only errors need one.
    func codingPath(to target: Int) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var index = 0
        while index < target {
            let token = tokens[index]
            guard token.kind == .object || token.kind == .array else { break }
            // An object's members are a name token then the value; an array's are the values.
            let object = token.kind == .object
            var child = index + 1
            var found: Int?
            for position in 0..<Int(token.length) {
                let value = object ? child + 1 : child
                if target >= value && target < after(value) {
                    // Member names are string tokens (StrictJSON), so reading one cannot fail.
                    keys.append(object ? TapeNameKey((try? string(at: child)) ?? "") : TapeIndexKey(position))
                    found = value
                    break
                }
                child = after(value)
            }
            guard let found else { break }
            index = found
        }
        return keys
    }

    @inlinable
    func isNull(_ index: Int) -> Bool { tokens[index].kind == .null }

    func bool(at index: Int) throws -> Bool {
        switch tokens[index].kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, at: index)
        }
    }

    func string(at index: Int) throws -> String {
        let token = tokens[index]
        guard token.kind == .string else { throw mismatch(String.self, at: index) }
        let range = Int(token.offset)..<Int(token.offset + token.length)
        guard token.escaped else { return String(decoding: bytes[range], as: UTF8.self) }
        return String(decoding: unescape(range), as: UTF8.self)
    }

    /// A string token's bytes with escapes resolved (``StrictJSON`` already checked them).
    func unescape(_ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            // Copy the run up to the next backslash at once (base64 with escaped slashes is mostly runs).
            let next: Int = bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress, let found = memchr(base + i, 0x5C, range.upperBound - i) else { return range.upperBound }
                return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            }
            if next > i {
                out.append(contentsOf: bytes[i..<next])
                i = next
                continue
            }
            let escape = bytes[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(hexUnit(at: i))
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    let low = UInt32(hexUnit(at: i + 2))
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                if let value = Unicode.Scalar(scalar) { out.append(contentsOf: UTF8.encode(value)!) }
            default: out.append(escape) // \" \\ \/
            }
        }
        return out
    }

    private func hexUnit(at position: Int) -> UInt16 {
        var unit: UInt16 = 0
        for byte in bytes[position..<(position + 4)] {
            let digit = byte <= UInt8(ascii: "9") ? byte &- UInt8(ascii: "0") : (byte | 0x20) &- UInt8(ascii: "a") &+ 10
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    /// Whether a string token equals `key` (keys are compared as Foundation does: by their characters' bytes).
    func matches(_ index: Int, _ key: String) -> Bool {
        // Coding keys are native strings, contiguous UTF-8.
        key.utf8.withContiguousStorageIfAvailable { matches(index, utf8: $0) } ?? matches(index, utf8: Array(key.utf8))
    }

    /// Whether the string token at `index` spells `name` (UTF-8). Names are short: compared byte by
    /// byte in place (a generic walk or a memcmp call cost more than the comparison).
    @inlinable
    func matches(_ index: Int, utf8 name: UnsafeBufferPointer<UInt8>) -> Bool {
        let token = tokens[index]
        let range = Int(token.offset)..<Int(token.offset + token.length)
        if token.escaped { return matchesEscaped(range, utf8: name) }
        guard name.count == range.count else { return false }
        return bytes.withUnsafeBufferPointer { document in
            var offset = 0
            while offset < name.count, document[range.lowerBound &+ offset] == name[offset] { offset &+= 1 }
            return offset == name.count
        }
    }

    @usableFromInline
    func matchesEscaped(_ range: Range<Int>, utf8 name: UnsafeBufferPointer<UInt8>) -> Bool {
        unescape(range).elementsEqual(name)
    }

    func matches(_ index: Int, utf8 name: [UInt8]) -> Bool {
        name.withUnsafeBufferPointer { matches(index, utf8: $0) }
    }

    /// The token index of the value of the member of `object` named `name`, or nil.
    func member(named name: String, in object: Int) -> Int? {
        var member = object + 1
        for _ in 0..<Int(tokens[object].length) {
            if matches(member, name) { return member + 1 }
            member = after(member + 1)
        }
        return nil
    }

    // MARK: Numbers

    func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type, at index: Int) throws -> F {
        let token = tokens[index]
        guard token.kind == .number else { throw mismatch(F.self, at: index) }
        let range = Int(token.offset)..<Int(token.offset + token.length)
        if let exact = fastFloatingPoint(F.self, range) { return exact }
        guard let value = F(String(decoding: bytes[range], as: UTF8.self)), value.isFinite,
              value != 0 || !hasNonZeroDigit(range) else {
            throw unrepresentable(F.self, range, at: index)
        }
        return value
    }

    /// Clinger's fast path: a decimal whose digits (≤ 2^53) and power of ten (≤ 10^22) are
    /// exact doubles is one correctly rounded multiplication or division. A `Float` is then that
    /// double rounded again, which is correct unless the double sits exactly halfway between two
    /// floats. Nil sends the number to the slow path.
    @inline(__always)
    private func fastFloatingPoint<F: BinaryFloatingPoint>(_ type: F.Type, _ range: Range<Int>) -> F? {
        var i = range.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var seenPoint = false
        while i < range.upperBound {
            let byte = bytes[i]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if mantissa != 0 || byte != UInt8(ascii: "0") { digits += 1 }
                guard digits <= 19 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                if seenPoint { exponent -= 1 }
            } else if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else {
                // An exponent (`e`/`E`, an optional sign, digits).
                i += 1
                var sign = 1
                if bytes[i] == UInt8(ascii: "-") { sign = -1; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
                var written = 0
                while i < range.upperBound {
                    written = written * 10 + Int(bytes[i] &- UInt8(ascii: "0"))
                    guard written <= 400 else { return nil }
                    i += 1
                }
                exponent += sign * written
                break
            }
            i += 1
        }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
        var double = Double(mantissa)
        if exponent < 0 { double /= Self.powersOfTen[-exponent] } else if exponent > 0 { double *= Self.powersOfTen[exponent] }
        if negative { double = -double }
        if F.self == Double.self { return F(double) }
        let rounded = F(double)
        guard rounded.isFinite else { return nil }
        let back = Double(rounded)
        if back != double {
            let neighbour = Double(double > back ? rounded.nextUp : rounded.nextDown)
            if neighbour.isFinite, (back + neighbour) / 2 == double { return nil } // halfway: let strtof decide
        }
        return rounded
    }

    /// 10^0 … 10^22, every one exact in a `Double`.
    private static let powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    private func hasNonZeroDigit(_ range: Range<Int>) -> Bool {
        for byte in bytes[range] {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return false }
            if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") { return true }
        }
        return false
    }

    func integer<I: FixedWidthInteger & Decodable>(_ type: I.Type, at index: Int) throws -> I {
        let token = tokens[index]
        guard token.kind == .number else { throw mismatch(I.self, at: index) }
        let range = Int(token.offset)..<Int(token.offset + token.length)
        var i = range.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var magnitude: UInt64 = 0
        var plain = true
        while i < range.upperBound {
            let byte = bytes[i]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                plain = false
                break
            }
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw unrepresentable(I.self, range, at: index) }
            magnitude = sum
            i += 1
        }
        if plain {
            let value: I? = if negative {
                magnitude <= UInt64(Int64.max) ? I(exactly: -Int64(magnitude)) : (magnitude == UInt64(Int64.max) + 1 ? I(exactly: Int64.min) : nil)
            } else {
                I(exactly: magnitude)
            }
            guard let value else { throw unrepresentable(I.self, range, at: index) }
            return value
        }
        // `1.0`, `15e-1`: rare in answers, and Foundation's rules for them are its own (exact
        // decimal arithmetic with quirks at the edges), so it decides them.
        do {
            return try JSONDecoder().decode(I.self, from: Data(bytes[range]))
        } catch {
            throw unrepresentable(I.self, range, at: index)
        }
    }

    func data(at index: Int) throws -> Data {
        let text = try string(at: index)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(to: index), debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    func url(at index: Int) throws -> URL {
        let text = try string(at: index)
        guard let url = URL(string: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(to: index), debugDescription: "Invalid URL string."))
        }
        return url
    }

    func decimal(at index: Int) throws -> Decimal {
        let token = tokens[index]
        guard token.kind == .number else { throw mismatch(Decimal.self, at: index) }
        let range = Int(token.offset)..<Int(token.offset + token.length)
        guard let value = Decimal(string: String(decoding: bytes[range], as: UTF8.self), locale: nil) else {
            throw unrepresentable(Decimal.self, range, at: index)
        }
        return value
    }

    // MARK: Errors (worded as Foundation's)

    @usableFromInline
    func mismatch(_ type: Any.Type, at index: Int) -> DecodingError {
        if tokens[index].kind == .null {
            return .valueNotFound(type, .init(codingPath: codingPath(to: index), debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        }
        let found = switch tokens[index].kind {
        case .object: "a dictionary"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .true, .false: "bool"
        case .null: "null"
        }
        return .typeMismatch(type, .init(codingPath: codingPath(to: index), debugDescription: "Expected to decode \(type) but found \(found) instead."))
    }

    func unrepresentable(_ type: Any.Type, _ range: Range<Int>, at index: Int) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath(to: index),
                             debugDescription: "Parsed JSON number <\(String(decoding: bytes[range], as: UTF8.self))> does not fit in \(type)."))
    }
}

/// The `Decoder` handed to a type's `init(from:)`: one value of the document. Decoders and
/// containers hold token indices only (no coding path), so descending costs no allocation and
/// `TapeDecoder` and the containers fit an existential's inline buffer.
struct TapeDecoder: Decoder {
    let document: TapeDocument
    let index: Int

    var codingPath: [any CodingKey] { document.codingPath(to: index) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document.tokens[index].kind == .object else { throw document.mismatch([String: Any].self, at: index) }
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(document: document, object: index))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard document.tokens[index].kind == .array else { throw document.mismatch([Any].self, at: index) }
        return TapeUnkeyedContainer(document: document, array: index)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TapeSingleValueContainer(document: document, index: index)
    }
}

struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: TapeDocument
    let object: Int

    var codingPath: [any CodingKey] { document.codingPath(to: object) }

    var allKeys: [Key] {
        var keys: [Key] = []
        var member = object + 1
        for _ in 0..<Int(document.tokens[object].length) {
            if let key = Key(stringValue: (try? document.string(at: member)) ?? "") { keys.append(key) }
            member = document.after(member + 1)
        }
        return keys
    }

    /// The token index of `key`'s value, or nil.
    func value(for key: Key) -> Int? { document.member(named: key.stringValue, in: object) }

    func require(_ key: Key) throws -> Int {
        guard let index = value(for: key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                                                       debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return index
    }

    func contains(_ key: Key) -> Bool { value(for: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { document.isNull(try require(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try document.decode(T.self, at: try require(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = value(for: key), !document.isNull(index) else { return nil }
        return try document.decode(T.self, at: index)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.bool(at: try require(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.string(at: try require(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try document.floatingPoint(Double.self, at: try require(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try document.floatingPoint(Float.self, at: try require(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    private func integer<I: FixedWidthInteger & Decodable>(_ key: Key) throws -> I {
        try document.integer(I.self, at: try require(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TapeDecoder(document: document, index: try require(key)).container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TapeDecoder(document: document, index: try require(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = TapeSuperKey()
        guard let index = document.member(named: key.stringValue, in: object) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \"super\"."))
        }
        return TapeDecoder(document: document, index: index)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TapeDecoder(document: document, index: try require(key))
    }
}

struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let document: TapeDocument
    // 32-bit token indices (a tape has fewer than 2^32 tokens) keep the container within an
    // existential's three inline words, so `unkeyedContainer()` allocates nothing.
    private let array: UInt32
    /// The token of the next element, and its position.
    private var element: UInt32
    private var position: UInt32 = 0

    init(document: TapeDocument, array: Int) {
        self.document = document
        self.array = UInt32(truncatingIfNeeded: array)
        element = self.array + 1
    }

    var codingPath: [any CodingKey] { document.codingPath(to: Int(array)) }
    var currentIndex: Int { Int(position) }
    var count: Int? { Int(document.tokens[Int(array)].length) }
    var isAtEnd: Bool { position >= document.tokens[Int(array)].length }

    private func requireElement(_ type: Any.Type) throws {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [TapeIndexKey(currentIndex)],
                                                          debugDescription: "Unkeyed container is at end."))
        }
    }

    private mutating func advance() {
        element = UInt32(truncatingIfNeeded: document.after(Int(element)))
        position += 1
    }

    mutating func decodeNil() throws -> Bool {
        try requireElement(Never.self)
        guard document.isNull(Int(element)) else { return false }
        advance()
        return true
    }

    // Primitives read their token directly (the generic path would come back here through `T(from:)`).
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.bool(at: $1) } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try $0.string(at: $1) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try $0.floatingPoint(Double.self, at: $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next { try $0.floatingPoint(Float.self, at: $1) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.integer(Int.self, at: $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.integer(Int8.self, at: $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.integer(Int16.self, at: $1) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.integer(Int32.self, at: $1) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.integer(Int64.self, at: $1) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.integer(UInt.self, at: $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.integer(UInt8.self, at: $1) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try $0.integer(UInt16.self, at: $1) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try $0.integer(UInt32.self, at: $1) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try $0.integer(UInt64.self, at: $1) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next { try $0.decode(T.self, at: $1) }
    }

    private mutating func next<T>(_ read: (TapeDocument, Int) throws -> T) throws -> T {
        try requireElement(T.self)
        let value = try read(document, Int(element))
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try requireElement(KeyedDecodingContainer<NestedKey>.self)
        let container = try TapeDecoder(document: document, index: Int(element)).container(keyedBy: NestedKey.self)
        advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try requireElement((any UnkeyedDecodingContainer).self)
        let container = try TapeDecoder(document: document, index: Int(element)).unkeyedContainer()
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        try requireElement((any Decoder).self)
        let decoder = TapeDecoder(document: document, index: Int(element))
        advance()
        return decoder
    }
}

struct TapeSingleValueContainer: SingleValueDecodingContainer {
    let document: TapeDocument
    let index: Int

    var codingPath: [any CodingKey] { document.codingPath(to: index) }

    func decodeNil() -> Bool { document.isNull(index) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.decode(T.self, at: index) }
    func decode(_ type: Bool.Type) throws -> Bool { try document.bool(at: index) }
    func decode(_ type: String.Type) throws -> String { try document.string(at: index) }
    func decode(_ type: Double.Type) throws -> Double { try document.floatingPoint(Double.self, at: index) }
    func decode(_ type: Float.Type) throws -> Float { try document.floatingPoint(Float.self, at: index) }
    func decode(_ type: Int.Type) throws -> Int { try document.integer(Int.self, at: index) }
    func decode(_ type: Int8.Type) throws -> Int8 { try document.integer(Int8.self, at: index) }
    func decode(_ type: Int16.Type) throws -> Int16 { try document.integer(Int16.self, at: index) }
    func decode(_ type: Int32.Type) throws -> Int32 { try document.integer(Int32.self, at: index) }
    func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(Int64.self, at: index) }
    func decode(_ type: UInt.Type) throws -> UInt { try document.integer(UInt.self, at: index) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try document.integer(UInt8.self, at: index) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try document.integer(UInt16.self, at: index) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try document.integer(UInt32.self, at: index) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try document.integer(UInt64.self, at: index) }
}
