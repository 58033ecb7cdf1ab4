/// What a round's tie-break did: who refereed, and which answers formed the agreeing group
/// whose agreement scored everyone. Shown in `/admin/rounds`.
public struct TieBreakSummary: Sendable, Hashable, Codable {
    /// Why referees were asked.
    public enum Cause: String, Sendable, Hashable, Codable {
        /// The answerers' answers disagreed (below the endpoint's agreement threshold).
        case disagreement
        /// Only one answerer gave a valid answer: nothing to compare it with.
        case loneAnswer = "lone_answer"
        /// The answers agreed; the round was checked at random (`scoring.refereeAuditProbability`).
        case audit
        /// Answerers returned byte-identical answers to an endpoint whose honest answers always
        /// differ (``AnswerAgreement/identicalAnswersAreCopies``).
        case identicalAnswers = "identical_answers"
    }

    /// How it ended.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// One agreeing group was larger than every other (or, among equal groups, held more
        /// referees): every answer is scored by its agreement with it.
        case decided
        /// No group of at least two agreeing answers stood out: nobody's valid answer is scored.
        case noMajority = "no_majority"
        /// No miner was free to referee: the round is scored as the plugin's reward says.
        case noReferees = "no_referees"
    }

    public var cause: Cause
    public var outcome: Outcome
    /// The miners asked as referees (those that answered validly are in ``agreeingGroup`` or not,
    /// as their answers warrant; their results carry ``RoundRole/referee``).
    public var referees: [MinerIdentity]
    /// The answers of the largest agreeing group; empty unless ``outcome`` is `decided`.
    public var agreeingGroup: [MinerIdentity]

    public init(cause: Cause, outcome: Outcome, referees: [MinerIdentity], agreeingGroup: [MinerIdentity]) {
        self.cause = cause
        self.outcome = outcome
        self.referees = referees
        self.agreeingGroup = agreeingGroup
    }
}
