/// How a round was judged. Stored and sent as text: `scored`, `inconclusive: <why>` or
/// `discarded: <why>`; any other text fails to decode.
public enum RoundVerdict: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The reward judged the answers; they are scored.
    case scored
    /// The answers could not be judged (no majority, a failing check service); valid answers are
    /// not scored, failures are.
    case inconclusive(String)
    /// The reward broke its contract, timed out or could not run: nobody in the round is scored.
    case discarded(String)

    public var text: String {
        switch self {
        case .scored: "scored"
        case .inconclusive(let why): "inconclusive: \(why)"
        case .discarded(let why): "discarded: \(why)"
        }
    }

    /// The verdict `text` states, or nil for text of another form.
    public init?(text: String) {
        if text == "scored" {
            self = .scored
        } else if text.hasPrefix("inconclusive: ") {
            self = .inconclusive(String(text.dropFirst("inconclusive: ".count)))
        } else if text.hasPrefix("discarded: ") {
            self = .discarded(String(text.dropFirst("discarded: ".count)))
        } else {
            return nil
        }
    }

    /// Reads a stored verdict; text of another form is an error naming it.
    public init(stored text: String) throws(UnknownStoredValue) {
        guard let verdict = RoundVerdict(text: text) else { throw UnknownStoredValue(kind: "round verdict", value: text) }
        self = verdict
    }

    public var isDiscarded: Bool {
        if case .discarded = self { return true }
        return false
    }

    public var isInconclusive: Bool {
        if case .inconclusive = self { return true }
        return false
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let verdict = RoundVerdict(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown round verdict '\(text)'"))
        }
        self = verdict
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}
