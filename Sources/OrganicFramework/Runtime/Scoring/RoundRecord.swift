public import Foundation

/// Everything stored about one scored query round.
public struct RoundRecord: Sendable, Hashable, Codable {
    public var id: UUID
    public var endpoint: String
    public var isOrganic: Bool
    public var createdAt: Date
    /// `scored`, `inconclusive: …` or `discarded: …` (a reward function broke its contract, timed
    /// out or could not run; nobody in a discarded round is scored).
    public var verdict: RoundVerdict
    public var results: [MinerRoundResult]
    /// Set when the answers disagreed and referees were asked; nil otherwise.
    public var tieBreak: TieBreakSummary?

    public init(id: UUID = UUID(), endpoint: String, isOrganic: Bool, createdAt: Date, verdict: RoundVerdict, results: [MinerRoundResult],
                tieBreak: TieBreakSummary? = nil) {
        self.tieBreak = tieBreak
        self.id = id
        self.endpoint = endpoint
        self.isOrganic = isOrganic
        self.createdAt = createdAt
        self.verdict = verdict
        self.results = results
    }
}

/// One miner's part in a round.
public struct MinerRoundResult: Sendable, Hashable, Codable {
    public var miner: MinerIdentity
    /// `answered`, `busy`, `abandoned` (the caller left mid-stream), or a failure such as `timeout`.
    public var outcome: MinerOutcome
    /// The score, or nil when the miner was busy or the round was inconclusive.
    public var score: Double?
    public var reason: String?
    public var latencySeconds: Double
    /// For a streamed answer: seconds from the request to the first event.
    public var timeToFirstChunkSeconds: Double?
    /// Whether the miner answered first or refereed a disagreement; nil for an answerer in
    /// records written before tie-breaks.
    public var role: RoundRole?

    public init(miner: MinerIdentity, outcome: MinerOutcome, score: Double?, reason: String?, latencySeconds: Double,
                timeToFirstChunkSeconds: Double? = nil, role: RoundRole? = nil) {
        self.role = role
        self.timeToFirstChunkSeconds = timeToFirstChunkSeconds
        self.miner = miner
        self.outcome = outcome
        self.score = score
        self.reason = reason
        self.latencySeconds = latencySeconds
    }
}

/// A miner's recent scores on one endpoint.
public struct MinerScoreSummary: Sendable, Hashable, Codable {
    public var uid: UInt16
    public var hotkey: String
    public var endpoint: String
    /// Mean of the scores in the window.
    public var meanScore: Double
    /// Scored rounds in the window.
    public var rounds: Int
    /// Rounds in which the miner failed (scored 0 by the core).
    public var failures: Int
    public var meanLatencySeconds: Double
}
