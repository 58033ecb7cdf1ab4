/// Writes one JSON value, for a type that writes itself (``JSONWritable``). Text is appended in
/// place, with the node's number forms and string escapes.
public struct JSONWriter {
    @usableFromInline package var bytes: [UInt8]

    package init(bytes: [UInt8] = []) { self.bytes = bytes }

    public mutating func string(_ value: String) { JSONText.string(value, into: &bytes) }

    public mutating func int(_ value: Int) { JSONText.integer(value, into: &bytes) }

    /// Throws `EncodingError.invalidValue` for NaN and the infinities, which JSON cannot hold.
    public mutating func double(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Unable to encode Double.\(value) directly in JSON."))
        }
        JSONText.number(value.description, into: &bytes)
    }

    public mutating func bool(_ value: Bool) { JSONText.bool(value, into: &bytes) }

    public mutating func null() { JSONText.null(into: &bytes) }

    /// An array of small integers, such as OpenAI's token `bytes`.
    public mutating func bytes(_ values: [UInt8]) {
        bytes.append(UInt8(ascii: "["))
        for (position, value) in values.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.integer(value, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object whose members `body` writes.
    public mutating func object(_ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        var members = JSONObjectWriter(writer: self)
        // The member writer holds the only reference to the text, so its appends never copy it.
        bytes = []
        defer { self = members.writer }
        try body(&members)
        members.writer.bytes.append(UInt8(ascii: "}"))
    }

    /// An array of `values`, each written by `element`.
    @inlinable
    public mutating func array<Values: Sequence>(_ values: Values, _ element: (inout JSONWriter, Values.Element) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            try element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    @inlinable
    public mutating func write(_ value: some JSONWritable) throws { try value.write(json: &self) }

    /// `value` written by its `Encodable` conformance, for parts that do not write themselves.
    public mutating func encode(_ value: some Encodable) throws {
        try DirectJSONEncoder().encode(value, into: &bytes)
    }
}

/// Writes the members of one JSON object, in the order they are given.
public struct JSONObjectWriter {
    @usableFromInline var writer: JSONWriter
    @usableFromInline var count = 0

    init(writer: JSONWriter) { self.writer = writer }

    @usableFromInline
    mutating func name(_ name: StaticString) {
        if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
        count += 1
        name.withUTF8Buffer { JSONText.string($0, into: &writer.bytes) }
        writer.bytes.append(UInt8(ascii: ":"))
    }

    /// A member whose value `value` writes.
    @inlinable
    public mutating func member(_ name: StaticString, _ value: (inout JSONWriter) throws -> Void) rethrows {
        self.name(name)
        try value(&writer)
    }

    public mutating func member(_ name: StaticString, _ value: String) {
        self.name(name)
        writer.string(value)
    }

    public mutating func member(_ name: StaticString, _ value: Int) {
        self.name(name)
        writer.int(value)
    }

    public mutating func member(_ name: StaticString, _ value: Bool) {
        self.name(name)
        writer.bool(value)
    }

    public mutating func member(_ name: StaticString, _ value: Double) throws {
        self.name(name)
        try writer.double(value)
    }

    @inlinable
    public mutating func member(_ name: StaticString, _ value: some JSONWritable) throws {
        self.name(name)
        try value.write(json: &writer)
    }

    /// A member whose value is `null`.
    public mutating func nullMember(_ name: StaticString) {
        self.name(name)
        writer.null()
    }
}
