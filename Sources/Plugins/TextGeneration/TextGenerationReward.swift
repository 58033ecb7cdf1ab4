import OrganicPluginAPI

/// The chat reward: token verification (all or nothing, see ``TokenVerifier``) times a speed
/// factor from time to first token and tokens per second.
enum TextGenerationReward {
    static func reward(_ answer: MinerAnswer<ChatCompletion>, verifier: TokenVerifier, prompt: [Int], parameters: SamplingParameters,
                       samples: Int, expectedFirstToken: Duration, expectedTokensPerSecond: Double,
                       random: inout OrganicRandom) -> MinerReward {
        guard let choice = answer.response.choices.first else { return MinerReward(score: 0, reason: "no choices") }
        let claimed = (choice.logprobs?.content ?? []).map { ClaimedToken(text: $0.token, logprob: $0.logprob) }
        let finish = choice.finishReason.flatMap(FinishReason.init(rawValue:))
        // A stream that completed must say why it ended.
        guard finish != nil else { return MinerReward(score: 0, reason: "no finish_reason") }
        let verification = verifier.verify(prompt: prompt, claimed: claimed, finishReason: finish, parameters: parameters,
                                           samples: samples, random: &random)
        guard verification.passed else { return MinerReward(score: 0, reason: verification.reason) }
        let factor = speedFactor(answer, tokens: claimed.count, expectedFirstToken: expectedFirstToken,
                                 expectedTokensPerSecond: expectedTokensPerSecond)
        let note = "\(verification.reason); speed ×" + String(Int((factor * 100).rounded())) + "%"
        return MinerReward(score: min(max(verification.score * factor, 0), 1), reason: note)
    }

    /// The mean of a time-to-first-token factor and a tokens-per-second factor, each in
    /// [0.5, 1.5]: a miner at the expected speed gets 1, a faster one up to 1.5 (capped to a
    /// score of 1 after multiplying), a slower one down to 0.5. An answer that was not streamed
    /// is judged on its total latency alone.
    static func speedFactor(_ answer: MinerAnswer<ChatCompletion>, tokens: Int, expectedFirstToken: Duration,
                            expectedTokensPerSecond: Double) -> Double {
        guard let first = answer.timeToFirstChunk else {
            let expected = expectedFirstToken + .seconds(Double(tokens) / expectedTokensPerSecond)
            return SpeedCurve.factor(latency: answer.latency, expected: expected)
        }
        let firstFactor = SpeedCurve.factor(latency: first, expected: expectedFirstToken)
        guard let rate = answer.chunksPerSecond, rate.isFinite, rate > 0 else { return firstFactor }
        let rateFactor = SpeedCurve.bounded(rate / expectedTokensPerSecond)
        return (firstFactor + rateFactor) / 2
    }
}
