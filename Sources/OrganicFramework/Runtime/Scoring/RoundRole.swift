/// Why a miner took part in a round.
public enum RoundRole: String, Sendable, Hashable, Codable {
    /// One of the miners the query was sent to first.
    case answerer
    /// A miner asked afterwards, because the answerers disagreed (see ``TieBreakSummary``).
    case referee
}
