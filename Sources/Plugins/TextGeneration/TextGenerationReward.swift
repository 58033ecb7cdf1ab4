import OrganicPluginAPI

/// The text-generation reward, for chat and text completions alike: token verification (all or
/// nothing, see ``TokenVerifier``) times a speed factor from time to first token and tokens per second.
struct TextGenerationReward: Sendable {
    let verifier: TokenVerifier
    let samples: Int
    let expectedFirstToken: Duration
    let expectedTokensPerSecond: Double

    init(model: NGramLanguageModel, configuration: TextGenerationConfiguration) {
        verifier = TokenVerifier(model: model, tolerance: configuration.logprobTolerance)
        samples = configuration.verifiedPositions
        expectedFirstToken = .seconds(double: configuration.expectedTimeToFirstTokenSeconds)
        expectedTokensPerSecond = configuration.expectedTokensPerSecond
    }

    func reward<R>(_ answer: MinerAnswer<R>, claimed: [ClaimedToken], finishReason: String?, prompt: [Int], parameters: SamplingParameters,
                   random: inout OrganicRandom) -> MinerReward {
        // A stream that completed must say why it ended.
        guard let finish = finishReason.flatMap(FinishReason.init(rawValue:)) else { return MinerReward(score: 0, reason: "no valid finish_reason") }
        let verification = verifier.verify(prompt: prompt, claimed: claimed, finishReason: finish, parameters: parameters,
                                           samples: samples, random: &random)
        guard verification.passed else { return MinerReward(score: 0, reason: verification.reason) }
        let factor = speedFactor(answer, tokens: claimed.count)
        let note = "\(verification.reason); speed ×" + String(Int((factor * 100).rounded())) + "%"
        return MinerReward(score: min(max(verification.score * factor, 0), 1), reason: note)
    }

    /// The mean of a time-to-first-token factor and a tokens-per-second factor, each in
    /// [0.5, 1.5]: a miner at the expected speed gets 1, a faster one up to 1.5 (the score is
    /// capped at 1 after multiplying), a slower one down to 0.5. An answer that was not streamed
    /// is judged on its total latency alone.
    func speedFactor<R>(_ answer: MinerAnswer<R>, tokens: Int) -> Double {
        guard let first = answer.timeToFirstChunk else {
            let expected = expectedFirstToken + .seconds(double: Double(tokens) / expectedTokensPerSecond)
            return SpeedCurve.factor(latency: answer.latency, expected: expected)
        }
        let firstFactor = SpeedCurve.factor(latency: first, expected: expectedFirstToken)
        guard let rate = answer.chunksPerSecond, rate.isFinite, rate > 0 else { return firstFactor }
        let rateFactor = SpeedCurve.bounded(rate / expectedTokensPerSecond)
        return (firstFactor + rateFactor) / 2
    }
}
