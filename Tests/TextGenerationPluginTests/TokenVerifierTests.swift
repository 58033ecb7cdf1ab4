import Foundation
import OrganicPluginAPI
import PropertyBased
import Testing
@testable import TextGenerationPlugin

@Suite("Token verifier")
struct TokenVerifierTests {
    let model: NGramLanguageModel
    let verifier: TokenVerifier

    init() throws {
        model = try NGramLanguageModel.bundled()
        verifier = TokenVerifier(model: model)
    }
    var prompt: [Int] { ChatPrompt(messages: [ChatMessage(role: .user, content: "Paint me something.")], tokenizer: model.tokenizer).tokens }

    static let settings: [SamplingParameters] = [
        SamplingParameters(maxTokens: 80, temperature: 0),
        SamplingParameters(maxTokens: 80, temperature: 1),
        SamplingParameters(maxTokens: 80, temperature: 0.7, topP: 0.9),
        SamplingParameters(maxTokens: 80, temperature: 1.5, topP: 0.5, minTokens: 20),
        SamplingParameters(maxTokens: 25, temperature: 0.3, topP: 0.3),
    ]

    func answer(_ parameters: SamplingParameters, seed: UInt64) -> Completion {
        Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: seed)
    }

    func claims(_ completion: Completion) -> [ClaimedToken] {
        completion.tokens.map { ClaimedToken(text: $0.text, logprob: $0.logprob) }
    }

    func verify(_ claimed: [ClaimedToken], _ finish: FinishReason?, _ parameters: SamplingParameters, samples: Int = 8,
                seed: UInt64 = 1) -> TokenVerification {
        var random = OrganicRandom(seed: seed)
        return verifier.verify(prompt: prompt, claimed: claimed, finishReason: finish, parameters: parameters, samples: samples,
                               random: &random)
    }

    @Test("an honest answer scores 1 under every sampling setting")
    func honest() async {
        await propertyCheck(count: 60, input: Gen.uint64(), Gen.int(in: 0...(Self.settings.count - 1)), Gen.int(in: 0...100)) { seed, s, samples in
            let parameters = Self.settings[s]
            let reply = answer(parameters, seed: seed)
            let result = verify(claims(reply), reply.finishReason, parameters, samples: samples, seed: seed)
            #expect(result.score == 1, "\(result.reason)")
            let expected = min(samples, max(reply.tokens.count - 1, 0)) + (reply.tokens.isEmpty ? 0 : 1) + (reply.finishReason == .stop ? 1 : 0)
            #expect(result.checked == expected)
        }
    }

    @Test("log-probability noise within the tolerance still scores 1")
    func noise() async {
        await propertyCheck(count: 40, input: Gen.uint64(), Gen.int(in: 0...(Self.settings.count - 1))) { seed, s in
            let parameters = Self.settings[s]
            let reply = answer(parameters, seed: seed)
            var random = OrganicRandom(seed: ~seed)
            let noisy = reply.tokens.map {
                ClaimedToken(text: $0.text, logprob: $0.logprob + (Double(random.next() >> 11) * 0x1p-53 - 0.5) * 0.09)
            }
            let result = verify(noisy, reply.finishReason, parameters, samples: 200)
            #expect(result.score == 1, "\(result.reason)")
        }
    }

    @Test("an invented token fails wherever it is, sampled or not")
    func invented() async {
        let parameters = SamplingParameters(maxTokens: 80, minTokens: 30)
        await propertyCheck(count: 30, input: Gen.uint64(), Gen.element(of: [" xylophone", " A red", "<|endoftext|>", "Lighthouse", ""]).map { $0! }) { seed, fake in
            let reply = answer(parameters, seed: seed)
            var claimed = claims(reply)
            var random = OrganicRandom(seed: seed)
            claimed[Int(random.next() % UInt64(claimed.count))] = ClaimedToken(text: fake, logprob: -1)
            let result = verify(claimed, reply.finishReason, parameters, samples: 0)
            #expect(result.score == 0)
            #expect(result.reason.contains("not in the vocabulary"))
        }
    }

    @Test("a faulty miner that swaps a quarter of its tokens scores near 0")
    func swapped() async {
        let parameters = SamplingParameters(maxTokens: 60, temperature: 0.8, topP: 0.95, minTokens: 60)
        var total = 0.0
        for seed: UInt64 in 0..<40 {
            let reply = answer(parameters, seed: seed)
            var claimed = claims(reply)
            var random = OrganicRandom(seed: seed)
            for i in claimed.indices where random.next() % 4 == 0 {
                let other = 2 + Int(random.next() % UInt64(model.vocabularySize - 2))
                claimed[i] = ClaimedToken(text: model.tokenizer.text(of: other), logprob: claimed[i].logprob)
            }
            total += verify(claimed, reply.finishReason, parameters, samples: 10, seed: seed).score
        }
        #expect(total / 40 < 0.1)
    }

    @Test("a swapped first token fails even when its claimed logprob is the true one")
    func swappedWithTrueLogprob() {
        let parameters = SamplingParameters(maxTokens: 40, temperature: 0)
        let reply = answer(parameters, seed: 0)
        var claimed = claims(reply)
        let p = model.probabilities(context: prompt)
        let second = model.top(2, of: p)[1]
        claimed[0] = ClaimedToken(text: second.text, logprob: second.logprob)
        let result = verify(claimed, reply.finishReason, parameters, samples: 0)
        #expect(result.score == 0)
        #expect(result.reason.contains("cannot be drawn"))
        // Under temperature 1 the same token is a legitimate draw.
        let free = SamplingParameters(maxTokens: 40)
        #expect(verify(Array(claimed.prefix(1)), nil, free).score == 1)
    }

    @Test("a token outside the top-p nucleus fails even with its true logprob")
    func outsideNucleus() {
        let parameters = SamplingParameters(maxTokens: 10, temperature: 1, topP: 0.5)
        let p = model.probabilities(context: prompt)
        let unlikely = p.indices.dropFirst(2).min { p[$0] < p[$1] }!
        let claimed = [ClaimedToken(text: model.tokenizer.text(of: unlikely), logprob: log(p[unlikely]))]
        #expect(verify(claimed, nil, parameters).score == 0)
        #expect(verify(claimed, nil, SamplingParameters(maxTokens: 10)).score == 1)
    }

    @Test("wrong logprobs score 0: shifted, claimed certain, or shuffled")
    func wrongLogprobs() async {
        await propertyCheck(count: 30, input: Gen.uint64(), Gen.int(in: 0...(Self.settings.count - 1))) { seed, s in
            let parameters = Self.settings[s]
            let reply = answer(parameters, seed: seed)
            let honest = claims(reply)
            guard honest.count >= 2 else { return }
            let shifted = honest.map { ClaimedToken(text: $0.text, logprob: $0.logprob - 0.2) }
            let certain = honest.map { ClaimedToken(text: $0.text, logprob: 0) }
            #expect(verify(shifted, reply.finishReason, parameters).score == 0)
            #expect(verify(certain, reply.finishReason, parameters).score == 0)
            let rotated = zip(honest, honest.dropFirst().map(\.logprob) + [honest[0].logprob]).map { ClaimedToken(text: $0.text, logprob: $1) }
            let differs = zip(honest, rotated).contains { abs($0.logprob - $1.logprob) > verifier.tolerance }
            #expect(verify(rotated, reply.finishReason, parameters, samples: 200).score == (differs ? 0 : 1))
            #expect(verify(honest.map { ClaimedToken(text: $0.text, logprob: .nan) }, nil, parameters).score == 0)
        }
    }

    @Test("a truncated answer verifies its prefix, but not with a false finish reason")
    func truncated() async {
        let parameters = SamplingParameters(maxTokens: 60, temperature: 0.9, minTokens: 40)
        await propertyCheck(count: 30, input: Gen.uint64(), Gen.int(in: 1...39)) { seed, kept in
            let reply = answer(parameters, seed: seed)
            let prefix = Array(claims(reply).prefix(kept))
            #expect(verify(prefix, nil, parameters, samples: 100).score == 1)
            #expect(verify(prefix, .length, parameters).score == 0)
            #expect(verify(prefix, .stop, parameters).score == 0)  // min_tokens not reached
        }
        // Greedy: the model would not have stopped where the cut is.
        let greedy = SamplingParameters(maxTokens: 60, temperature: 0)
        let reply = answer(greedy, seed: 0)
        let cut = Array(claims(reply).prefix(3))
        #expect(model.top(1, of: model.probabilities(context: prompt + reply.tokens.prefix(3).map(\.id)))[0].id != Tokenizer.endOfText)
        #expect(verify(cut, nil, greedy).score == 1)
        #expect(verify(cut, .stop, greedy).score == 0)
    }

    @Test("more tokens than max_tokens, or none at all, fail")
    func counts() {
        let parameters = SamplingParameters(maxTokens: 30, minTokens: 30)
        let claimed = claims(answer(parameters, seed: 4))
        #expect(verify(claimed, .length, SamplingParameters(maxTokens: 29)).score == 0)
        #expect(verify([], nil, parameters).score == 0)
        #expect(verify(claimed, .length, parameters).score == 1)
    }
}
