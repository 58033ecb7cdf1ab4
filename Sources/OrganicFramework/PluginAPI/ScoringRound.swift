/// Who answered: a miner as the metagraph knows it.
public struct MinerIdentity: Sendable, Hashable, Codable {
    /// The miner's slot in the subnet; reused when a miner is replaced.
    public var uid: UInt16
    /// The miner's hotkey (SS58). Scores are keyed by hotkey, so a replaced miner starts fresh.
    public var hotkey: String

    public init(uid: UInt16, hotkey: String) {
        self.uid = uid
        self.hotkey = hotkey
    }
}

/// One miner's valid answer to a scored query.
public struct MinerAnswer<Response: Sendable>: Sendable {
    public var miner: MinerIdentity
    public var response: Response
    /// Time from sending the request to receiving the whole response.
    public var latency: Duration
    /// Size of the response body in bytes.
    public var responseBytes: Int

    public init(miner: MinerIdentity, response: Response, latency: Duration, responseBytes: Int) {
        self.miner = miner
        self.response = response
        self.latency = latency
        self.responseBytes = responseBytes
    }
}

/// The same request, answered by several miners, ready to be compared.
public struct ScoringRound<Request: Sendable, Response: Sendable>: Sendable {
    /// The request exactly as the miners received it (after perturbation).
    public var request: Request
    /// The valid answers, in no particular order.
    public var answers: [MinerAnswer<Response>]
    /// Whether the request came from a paying caller rather than the synthetic generator.
    public var isOrganic: Bool
    /// The endpoint's timeout, for speed factors.
    public var timeout: Duration
    /// How far below 1 a reward that rests on a fallback similarity is capped; the node's
    /// `scoring.fallbackEpsilon` setting. Use it through ``cappedFallback(_:)``.
    public var fallbackEpsilon: Double

    public init(request: Request, answers: [MinerAnswer<Response>], isOrganic: Bool, timeout: Duration,
                fallbackEpsilon: Double = ConsensusReward.defaultFallbackEpsilon) {
        self.request = request
        self.answers = answers
        self.isOrganic = isOrganic
        self.timeout = timeout
        self.fallbackEpsilon = fallbackEpsilon
    }

    /// A reward resting on the fallback similarity `s`, capped at `1 - fallbackEpsilon` as the
    /// operator configured: a look-alike answer never earns as much as the real work.
    public func cappedFallback(_ similarity: Double) -> Double {
        ConsensusReward.cappedFallback(similarity, epsilon: fallbackEpsilon)
    }
}
