/// How a consensus endpoint decides whether two answers to the same request agree: a
/// similarity in [0, 1] and the threshold at or above which two answers count as the same
/// computation.
///
/// An endpoint states it once, through ``Endpoint/agreement(for:)``, and uses it in its reward
/// (``ConsensusReward/rewards(for:agreement:)``). The core uses it too: when the answers to a
/// scored round disagree, it asks more miners (referees) and scores each answer by its agreement
/// with the largest agreeing group (see Docs/Scoring.md, "Tie-breaks").
public struct AnswerAgreement<Response: Sendable>: Sendable {
    /// Similarity at or above which two answers agree.
    public var threshold: Double
    /// How alike two answers are, in [0, 1] (values outside are clamped; NaN counts 0).
    public var similarity: @Sendable (Response, Response) -> Double
    /// Set when honest answers always differ a little (hardware noise in floating-point
    /// results), so that byte-identical answers from different miners are copies: in a tie-break
    /// they count as one voice, and two answerers returning the same answer are refereed. Leave
    /// it false when honest miners may return identical answers (deterministic outputs).
    public var identicalAnswersAreCopies: Bool

    public init(threshold: Double, identicalAnswersAreCopies: Bool = false, similarity: @escaping @Sendable (Response, Response) -> Double) {
        self.threshold = threshold
        self.identicalAnswersAreCopies = identicalAnswersAreCopies
        self.similarity = similarity
    }

    /// The similarity of two answers, clamped to [0, 1].
    public func score(_ a: Response, _ b: Response) -> Double {
        let s = similarity(a, b)
        guard s.isFinite else { return 0 }
        return min(max(s, 0), 1)
    }

    /// Whether two answers agree.
    public func agrees(_ a: Response, _ b: Response) -> Bool {
        score(a, b) >= threshold
    }
}
