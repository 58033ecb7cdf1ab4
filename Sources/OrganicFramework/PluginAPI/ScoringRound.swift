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
    /// For a streamed answer: time from sending the request to the first event.
    public var timeToFirstChunk: Duration?
    /// For a streamed answer: how many events carried data (the end marker excluded).
    public var chunkCount: Int

    public init(miner: MinerIdentity, response: Response, latency: Duration, responseBytes: Int,
                timeToFirstChunk: Duration? = nil, chunkCount: Int = 0) {
        self.miner = miner
        self.response = response
        self.latency = latency
        self.responseBytes = responseBytes
        self.timeToFirstChunk = timeToFirstChunk
        self.chunkCount = chunkCount
    }

    /// Events per second after the first one, for a streamed answer with at least two events.
    public var chunksPerSecond: Double? {
        guard let first = timeToFirstChunk, chunkCount >= 2 else { return nil }
        let span = (latency - first).secondsValue
        return span > 0 ? Double(chunkCount - 1) / span : nil
    }
}

/// The same request, answered by one or several miners, ready to be judged.
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
    /// A random source for the reward's own choices (such as which positions to check), so that
    /// miners cannot predict them and tests can reproduce them.
    public var random: OrganicRandom

    public init(request: Request, answers: [MinerAnswer<Response>], isOrganic: Bool, timeout: Duration,
                fallbackEpsilon: Double = ConsensusReward.defaultFallbackEpsilon, random: OrganicRandom = OrganicRandom()) {
        self.request = request
        self.answers = answers
        self.isOrganic = isOrganic
        self.timeout = timeout
        self.fallbackEpsilon = fallbackEpsilon
        self.random = random
    }

    /// A reward resting on the fallback similarity `s`, capped at `1 - fallbackEpsilon` as the
    /// operator configured: a look-alike answer never earns as much as the real work.
    public func cappedFallback(_ similarity: Double) -> Double {
        ConsensusReward.cappedFallback(similarity, epsilon: fallbackEpsilon)
    }
}

extension Duration {
    /// Seconds as a floating-point number.
    @inlinable
    public var secondsValue: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }
}
