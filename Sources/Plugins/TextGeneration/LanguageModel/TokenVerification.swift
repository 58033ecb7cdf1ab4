/// The outcome of ``TokenVerifier/verify(prompt:claimed:finishReason:parameters:samples:random:)``.
struct TokenVerification: Sendable, Hashable {
    /// 1 when every check passed, 0 otherwise.
    let score: Double
    /// Positions whose log-probability and plausibility were recomputed (plus end-of-text, if checked).
    let checked: Int
    /// Why the answer failed, or what was checked.
    let reason: String

    var passed: Bool { score == 1 }

    static func failed(_ reason: String, checked: Int = 0) -> TokenVerification {
        TokenVerification(score: 0, checked: checked, reason: reason)
    }
}
