import Foundation
import OrganicPluginAPI

/// Generates a reply one token at a time, so a streaming miner can send each token as it comes.
///
/// Fully determined by the model, the prompt, the parameters and the seed. Each token reports its
/// log-probability under the raw distribution, whatever the temperature and top-p.
struct Sampler: IteratorProtocol, Sendable {
    let model: NGramLanguageModel
    let parameters: SamplingParameters
    /// The prompt and the tokens generated so far.
    private(set) var context: [Int]
    private(set) var generatedCount = 0
    /// Set once generation has ended; with `.length` already alongside the last token.
    private(set) var finishReason: FinishReason?
    private var random: OrganicRandom

    init(model: NGramLanguageModel, prompt: [Int], parameters: SamplingParameters, seed: UInt64) {
        self.model = model
        self.parameters = parameters
        context = prompt
        random = OrganicRandom(seed: seed)
        if parameters.maxTokens <= 0 { finishReason = .length }
    }

    /// The next token, or nil once end-of-text or `maxTokens` is reached (see ``finishReason``).
    mutating func next() -> GeneratedToken? {
        guard finishReason == nil else { return nil }
        let probabilities = model.probabilities(context: context)
        let candidates = SamplingCandidates(probabilities: probabilities, step: generatedCount, parameters: parameters)
        // Built from the top 53 bits so that the draw is the same on every platform and toolchain.
        let u = parameters.isGreedy ? 0 : Double(random.next() >> 11) * 0x1p-53
        let id = candidates.draw(u)
        if id == Tokenizer.endOfText {
            finishReason = .stop
            return nil
        }
        context.append(id)
        generatedCount += 1
        if generatedCount >= parameters.maxTokens { finishReason = .length }
        return GeneratedToken(id: id, text: model.tokenizer.text(of: id), logprob: Foundation.log(probabilities[id]),
                              topLogprobs: model.top(parameters.topLogprobs, of: probabilities))
    }

    /// Runs generation to the end.
    static func generate(model: NGramLanguageModel, prompt: [Int], parameters: SamplingParameters,
                         seed: UInt64) -> Completion {
        var sampler = Sampler(model: model, prompt: prompt, parameters: parameters, seed: seed)
        var tokens: [GeneratedToken] = []
        while let token = sampler.next() { tokens.append(token) }
        return Completion(tokens: tokens, finishReason: sampler.finishReason ?? .length)
    }
}
