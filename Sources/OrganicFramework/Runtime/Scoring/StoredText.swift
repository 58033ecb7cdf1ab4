/// A value stored in the database and sent in JSON as text (a round's outcome, verdict): coded
/// as that text, and text of no known form is refused, never read as something else.
public protocol StoredText: Codable {
    /// What the value is called in errors, such as `round outcome`.
    static var storedKind: String { get }
    /// The stored and wire form.
    var storedText: String { get }
    /// The value `storedText` states, or nil for text of no known form.
    init?(storedText: String)
}

extension StoredText {
    /// Reads a stored value; unknown text is an error naming it.
    public init(stored text: String) throws(UnknownStoredValue) {
        guard let value = Self(storedText: text) else { throw UnknownStoredValue(kind: Self.storedKind, value: text) }
        self = value
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(storedText: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown \(Self.storedKind) '\(text)'"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(storedText)
    }
}
