/// Decodes documents as one type: through its own reader when it is ``JSONReadable``, else
/// through `Decodable`. The conformance is looked up once, when the decoder is made (a lookup per
/// document would cost about what the reader saves on a small one).
package struct TypedJSONDecoder<Value: Decodable> {
    private let read: ((JSONReader) throws -> Value)?

    package init() {
        read = (Value.self as? any JSONReadable.Type).map { Self.reading($0) }
    }

    private static func reading<Readable: JSONReadable>(_ type: Readable.Type) -> (JSONReader) throws -> Value {
        // Readable is Value (it came from Value's metatype), so the bit cast only restores the
        // type; a checked cast (`as?`) copied and destroyed every value it passed.
        { json in unsafeBitCast(try Readable(json: json), to: Value.self) }
    }

    /// Checks `bytes` as strict JSON and decodes them.
    package func decode(_ bytes: [UInt8]) throws -> Value {
        try decode(bytes, tape: try JSONTape.parseForDecoding(bytes))
    }

    /// Checks `bytes` as strict JSON, decodes them, and appends their text with `edits` spliced
    /// in to `edited`: one parse for both (a relayed stream's caller event).
    package func decode(_ bytes: [UInt8], editing edits: JSONEdits, into edited: inout [UInt8]) throws -> Value {
        let document = TapeDocument(bytes: bytes, tokens: try JSONTape.parseForDecoding(bytes).tokens)
        let value = try decode(document)
        edits.apply(to: document, into: &edited)
        return value
    }

    /// Decodes a document already checked and tokenized by ``JSONTape/parse(_:)``.
    package func decode(_ bytes: [UInt8], tape: JSONTape) throws -> Value {
        try decode(TapeDocument(bytes: bytes, tokens: tape.tokens))
    }

    private func decode(_ document: TapeDocument) throws -> Value {
        if let read { return try read(JSONReader(document: document, index: 0)) }
        return try document.decode(Value.self, at: 0)
    }
}

/// Encodes values of one type: through its own writer when it is ``JSONWritable``, else through
/// ``DirectJSONEncoder``. The conformance is looked up once, when the encoder is made.
package struct TypedJSONEncoder<Value: Encodable> {
    private let write: ((Value, inout JSONWriter) throws -> Void)?

    package init() {
        write = (Value.self as? any JSONWritable.Type).map { Self.writing($0) }
    }

    private static func writing<Writable: JSONWritable>(_ type: Writable.Type) -> (Value, inout JSONWriter) throws -> Void {
        // Value is Writable (its metatype was): the bit cast only restores the type, without the
        // copy a checked cast makes.
        { value, json in try unsafeBitCast(value, to: Writable.self).write(json: &json) }
    }

    package func encode(_ value: Value) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(value, into: &bytes)
        return bytes
    }

    /// Appends `value`'s JSON text to `bytes`; on an error `bytes` is left as it was.
    package func encode(_ value: Value, into bytes: inout [UInt8]) throws {
        guard let write else { return try DirectJSONEncoder().encode(value, into: &bytes) }
        let start = bytes.count
        var writer = JSONWriter(bytes: bytes)
        bytes = []
        defer { bytes = writer.bytes }
        do {
            try write(value, &writer)
        } catch {
            writer.bytes.removeSubrange(start...)
            throw error
        }
    }
}
