import OrganicPluginAPI

/// What both reference miners (chat and text completions) generate: the reference model sampled
/// with the validator's seed, each token with its log-probability, after the miner's hardware
/// noise (at most ±0.01 per log-probability, inside the reward's tolerance) and, when told to
/// answer wrongly, invented tokens (half the positions get a random vocabulary token reported
/// with the honest token's log-probability).
enum ReferenceGeneration {
    /// The `created` time reference miners report (a fixed instant: answers stay reproducible).
    static let created = 1_700_000_000

    struct Token {
        var text: String
        var logprob: Double
        var alternatives: [TokenAlternative]
    }

    static func generate(model: NGramLanguageModel, prompt: [Int], parameters: SamplingParameters, seed: UInt64, noiseSeed: UInt64?,
                         context: MinerContext) -> (tokens: [Token], finish: FinishReason) {
        var sampler = Sampler(model: model, prompt: prompt, parameters: parameters, seed: seed)
        var random = context.random
        var noise = noiseSeed.map { OrganicRandom(seed: $0 ^ seed) }
        var tokens: [Token] = []
        while let token = sampler.next() {
            var reported = Token(text: token.text, logprob: token.logprob, alternatives: token.topLogprobs)
            if var generator = noise {
                reported.logprob += Double.random(in: -0.01...0.01, using: &generator)
                noise = generator
            }
            if context.answerWrongly, Bool.random(using: &random) {
                reported.text = model.tokenizer.text(of: Int.random(in: 2..<model.vocabularySize, using: &random))
            }
            tokens.append(reported)
        }
        return (tokens, sampler.finishReason ?? .length)
    }
}
