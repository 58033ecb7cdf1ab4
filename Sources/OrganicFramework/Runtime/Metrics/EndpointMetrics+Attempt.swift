extension EndpointMetrics {
    /// Counts one miner's attempt in a round and times it.
    func record<E>(_ attempt: QueryRound<E>.Attempt) {
        let outcome: MinerAttemptOutcome = switch attempt.judgement {
        case .valid: .answered
        case .busy: .busy
        case .failed: .failed
        case .abandoned: .abandoned
        }
        record(attempt: outcome, uid: attempt.miner.uid, latency: attempt.latency, timeToFirstChunk: attempt.timeToFirstChunk)
    }
}
