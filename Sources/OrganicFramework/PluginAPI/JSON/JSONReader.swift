/// One value of a checked JSON document, handed to a type that reads itself (``JSONReadable``).
///
/// Reading costs what the value holds and no more: no containers are allocated and no generic
/// machinery runs, which is what makes it several times faster than `Decodable` for the small,
/// frequent documents of a stream. Errors are the `DecodingError`s `init(from:)` would throw,
/// with the coding path of the value at fault.
public struct JSONReader {
    @usableFromInline let document: TapeDocument
    @usableFromInline let index: Int

    @usableFromInline
    init(document: TapeDocument, index: Int) {
        self.document = document
        self.index = index
    }

    /// What kind of JSON value this is.
    public enum Kind: Sendable, Hashable {
        case object, array, string, number, bool, null
    }

    public var kind: Kind {
        switch document.tokens[index].kind {
        case .object: .object
        case .array: .array
        case .string: .string
        case .number: .number
        case .true, .false: .bool
        case .null: .null
        }
    }

    @inlinable
    public var isNull: Bool { document.isNull(index) }

    /// An object's member count or an array's element count; 0 for anything else.
    @inlinable
    public var count: Int {
        let token = document.tokens[index]
        return token.kind == .object || token.kind == .array ? Int(token.length) : 0
    }

    /// Where this value sits in the document, as `Decodable` names it.
    public var codingPath: [any CodingKey] { document.codingPath(to: index) }

    // MARK: Scalars

    public func string() throws -> String { try document.string(at: index) }

    public func bool() throws -> Bool { try document.bool(at: index) }

    /// A number that is an `Int` exactly (`1.0` and `1e2` are, as for `Decodable`).
    public func int() throws -> Int { try document.integer(Int.self, at: index) }

    public func double() throws -> Double { try document.floatingPoint(Double.self, at: index) }

    /// An array of integers in 0...255, such as OpenAI's token `bytes`.
    public func bytes() throws -> [UInt8] { try document.integers(of: UInt8.self, at: index) }

    // MARK: Containers

    /// Calls `body` with each member of an object, in document order (names are unique: strict
    /// JSON refuses repeated names). Throws a type mismatch when the value is not an object.
    @inlinable
    public func members(_ body: (JSONMemberName, JSONReader) throws -> Void) throws {
        let token = document.tokens[index]
        guard token.kind == .object else { throw document.mismatch([String: Any].self, at: index) }
        var member = index + 1
        for _ in 0..<Int(token.length) {
            try body(JSONMemberName(document: document, index: member), JSONReader(document: document, index: member + 1))
            member = document.after(member + 1)
        }
    }

    /// Calls `body` with each element of an array, in order. Throws a type mismatch when the value
    /// is not an array.
    @inlinable
    public func elements(_ body: (JSONReader) throws -> Void) throws {
        let token = document.tokens[index]
        guard token.kind == .array else { throw document.mismatch([Any].self, at: index) }
        var element = index + 1
        for _ in 0..<Int(token.length) {
            try body(JSONReader(document: document, index: element))
            element = document.after(element)
        }
    }

    /// The elements of an array, each read by `element`.
    @inlinable
    public func array<Element>(_ element: (JSONReader) throws -> Element) throws -> [Element] {
        var result: [Element] = []
        result.reserveCapacity(count)
        try elements { result.append(try element($0)) }
        return result
    }

    /// nil for `null`, else what `read` makes of the value: an optional member, as
    /// `decodeIfPresent` reads it.
    @inlinable
    public func optional<Value>(_ read: (JSONReader) throws -> Value) throws -> Value? {
        isNull ? nil : try read(self)
    }

    /// The value decoded with its `Decodable` conformance, for parts that have no reader of their own.
    /// Name the type: inferred from an optional variable it would be `Optional`, which reads `null`
    /// as nil where a required member must refuse it.
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try document.decode(Value.self, at: index)
    }

    /// The error for a required member that this object lacks, as `Decodable` reports it.
    public func missingMember(_ name: String) -> DecodingError {
        .keyNotFound(TapeNameKey(name), .init(codingPath: codingPath, debugDescription: "No value associated with key \"\(name)\"."))
    }
}

/// The name of an object member being read. Match it against literals in a `switch`
/// (`case "id":`): the comparison reads the document's bytes in place.
public struct JSONMemberName {
    @usableFromInline let document: TapeDocument
    @usableFromInline let index: Int

    @usableFromInline
    init(document: TapeDocument, index: Int) {
        self.document = document
        self.index = index
    }

    /// The name as a string (allocates when longer than 15 bytes).
    public var string: String { (try? document.string(at: index)) ?? "" }

    @inlinable
    public static func ~= (pattern: StaticString, name: JSONMemberName) -> Bool {
        pattern.withUTF8Buffer { name.document.matches(name.index, utf8: $0) }
    }

    @inlinable
    public static func == (name: JSONMemberName, other: StaticString) -> Bool { other ~= name }
}
