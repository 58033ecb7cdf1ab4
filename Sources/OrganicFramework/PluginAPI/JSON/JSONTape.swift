/// What a JSON token is.
@usableFromInline
enum JSONTokenKind: UInt8, Sendable {
    case object, array, string, number, `true`, `false`, null
}

/// Receives the values ``StrictJSON`` finds, in document order (an object's keys are strings
/// before their values).
protocol StrictJSONSink {
    mutating func scalar(_ kind: JSONTokenKind, offset: Int, length: Int, escaped: Bool)
    /// A container starts; returns a handle for ``close(_:count:)``.
    mutating func open(_ kind: JSONTokenKind, offset: Int) -> Int
    mutating func close(_ container: Int, count: Int)
}

/// One value of a ``JSONTape``: a scalar, or the start of a container.
@usableFromInline
struct JSONTapeToken {
    @usableFromInline var kind: JSONTokenKind
    /// A string that holds an escape (its bytes need unescaping).
    @usableFromInline var escaped: Bool
    /// Offset of a scalar's bytes (a string's without the quotes) in the document.
    @usableFromInline var offset: UInt32
    /// A scalar's byte length; a container's member count.
    @usableFromInline var length: UInt32
    /// For a container: the index of the first token after it (its last descendant + 1).
    @usableFromInline var next: UInt32
}

/// A checked JSON document as a flat list of tokens over its bytes: what ``TapeJSONDecoder``
/// reads instead of building a tree of values.
package struct JSONTape: StrictJSONSink {
    typealias Token = JSONTapeToken

    private(set) var tokens: [Token] = []

    init(capacity: Int) { tokens.reserveCapacity(capacity) }

    mutating func scalar(_ kind: JSONTokenKind, offset: Int, length: Int, escaped: Bool) {
        tokens.append(Token(kind: kind, escaped: escaped, offset: UInt32(truncatingIfNeeded: offset),
                            length: UInt32(truncatingIfNeeded: length), next: 0))
    }

    mutating func open(_ kind: JSONTokenKind, offset: Int) -> Int {
        tokens.append(Token(kind: kind, escaped: false, offset: UInt32(truncatingIfNeeded: offset), length: 0, next: 0))
        return tokens.count - 1
    }

    mutating func close(_ container: Int, count: Int) {
        tokens[container].length = UInt32(truncatingIfNeeded: count)
        tokens[container].next = UInt32(truncatingIfNeeded: tokens.count)
    }

    /// The index of the token after the value at `index` (skipping a container's contents).
    @inline(__always)
    func after(_ index: Int) -> Int {
        let token = tokens[index]
        return token.kind == .object || token.kind == .array ? Int(token.next) : index + 1
    }

    /// Checks `bytes` as ``StrictJSON`` does and records their tokens. Documents are bounded by
    /// the endpoint's size limit, far below the 4 GiB that 32-bit offsets allow.
    package static func parse(_ bytes: [UInt8]) throws(StrictJSON.Violation) -> JSONTape {
        guard bytes.count < Int(UInt32.max) else { throw StrictJSON.Violation(offset: 0, reason: "document larger than 4 GiB") }
        // A rough guess (one token per 8 bytes) saves most regrowth on number-heavy answers.
        var tape = JSONTape(capacity: min(bytes.count / 8 + 4, 1 << 20))
        try StrictJSON.scan(bytes, into: &tape)
        return tape
    }

    /// ``parse(_:)`` for a decoder: text that is not strict JSON is the `DecodingError` Foundation
    /// throws for text that is not JSON.
    static func parseForDecoding(_ bytes: [UInt8]) throws(DecodingError) -> JSONTape {
        do {
            return try parse(bytes)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(error).",
                                                    underlyingError: error))
        }
    }
}
