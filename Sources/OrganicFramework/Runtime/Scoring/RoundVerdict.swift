/// How a round was judged. Stored and sent as text: `scored`, `inconclusive: <why>` or
/// `discarded: <why>`; any other text fails to decode.
public enum RoundVerdict: Sendable, Hashable, StoredText, CustomStringConvertible {
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

    public static let storedKind = "round verdict"
    public var storedText: String { text }
    public init?(storedText: String) { self.init(text: storedText) }

    public var isDiscarded: Bool {
        if case .discarded = self { return true }
        return false
    }

    public var isInconclusive: Bool {
        if case .inconclusive = self { return true }
        return false
    }

    public var description: String { text }
}
