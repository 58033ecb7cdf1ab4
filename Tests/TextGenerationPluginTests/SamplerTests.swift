import Foundation
import PropertyBased
import Testing
@testable import TextGenerationPlugin

@Suite("Sampler")
struct SamplerTests {
    let model: NGramLanguageModel

    init() throws { model = try NGramLanguageModel.bundled() }
    var prompt: [Int] { ChatPrompt(messages: [ChatMessage(role: .user, content: "Describe a picture.")], tokenizer: model.tokenizer).tokens }

    @Test("the same seed gives the same reply; another seed another one")
    func deterministic() async {
        let parameters = SamplingParameters(maxTokens: 40, temperature: 1, topP: 0.95, minTokens: 40)
        await propertyCheck(count: 30, input: Gen.uint64()) { seed in
            let a = Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: seed)
            #expect(a == Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: seed))
            #expect(a.tokens.map(\.id) != Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: seed &+ 1).tokens.map(\.id))
        }
    }

    @Test("greedy takes the argmax at every step, whatever the seed")
    func greedy() {
        let parameters = SamplingParameters(maxTokens: 60, temperature: 0)
        let reply = Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: 1)
        #expect(reply == Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: 2))
        var context = prompt
        for token in reply.tokens {
            let p = model.probabilities(context: context)
            #expect(p.firstIndex(of: p.max()!) == token.id)
            context.append(token.id)
        }
        if reply.finishReason == .stop {
            let p = model.probabilities(context: context)
            #expect(p.firstIndex(of: p.max()!) == Tokenizer.endOfText)
        }
    }

    @Test("a vanishing top-p keeps only the most likely token, so it samples greedily")
    func tinyNucleus() async {
        let greedy = Sampler.generate(model: model, prompt: prompt, parameters: SamplingParameters(maxTokens: 50, temperature: 0), seed: 0)
        await propertyCheck(count: 10, input: Gen.uint64(), Gen.double(in: 0.2...2)) { seed, temperature in
            let parameters = SamplingParameters(maxTokens: 50, temperature: temperature, topP: 1e-9)
            #expect(Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: seed) == greedy)
        }
    }

    @Test("logprobs are those of the raw distribution; alternatives are the top tokens")
    func logprobs() {
        let parameters = SamplingParameters(maxTokens: 30, temperature: 0.6, topP: 0.8, topLogprobs: 4)
        let reply = Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: 7)
        var context = prompt
        for token in reply.tokens {
            let p = model.probabilities(context: context)
            #expect(token.logprob == log(p[token.id]))
            #expect(token.text == model.tokenizer.text(of: token.id))
            #expect(token.topLogprobs.count == 4)
            #expect(token.topLogprobs.first?.logprob == log(p.max()!))
            #expect(token.topLogprobs.map(\.logprob) == token.topLogprobs.map(\.logprob).sorted(by: >))
            context.append(token.id)
        }
        #expect(reply.text == model.tokenizer.decode(reply.tokens.map(\.id)))
    }

    @Test("max_tokens ends with length, reported with the last token; min_tokens holds back the end")
    func finish() async {
        await propertyCheck(count: 40, input: Gen.uint64(), Gen.int(in: 0...30), Gen.int(in: 0...30)) { seed, maxTokens, minTokens in
            let parameters = SamplingParameters(maxTokens: maxTokens, minTokens: minTokens)
            var sampler = Sampler(model: model, prompt: prompt, parameters: parameters, seed: seed)
            var tokens: [GeneratedToken] = []
            while let token = sampler.next() {
                tokens.append(token)
                if tokens.count == maxTokens { #expect(sampler.finishReason == .length) }
            }
            #expect(sampler.next() == nil)
            #expect(tokens.count <= maxTokens)
            #expect(tokens.count >= min(minTokens, maxTokens))
            #expect(sampler.finishReason == (tokens.count == maxTokens ? .length : .stop))
            #expect(Sampler.generate(model: model, prompt: prompt, parameters: parameters, seed: seed) == Completion(tokens: tokens, finishReason: sampler.finishReason!))
        }
    }

    @Test("pinned outputs: if these change, miners and validators on different versions disagree")
    func pinned() {
        let greedy = Sampler.generate(model: model, prompt: prompt, parameters: SamplingParameters(maxTokens: 13, temperature: 0), seed: 0)
        #expect(greedy.text == " A young painter building a sandcastle in front of a quiet street.")
        #expect(abs(greedy.tokens[0].logprob - -0.3695296987581962) < 1e-9)
        let sampled = Sampler.generate(model: model, prompt: prompt, parameters: SamplingParameters(maxTokens: 12, topP: 0.9), seed: 42)
        #expect(sampled.text == " A neon caravan hiding beside a striped greenhouse and a striped dog")
    }

    @Test("unconstrained replies are a few caption-like sentences that end by themselves")
    func naturalStop() {
        let reply = Sampler.generate(model: model, prompt: prompt, parameters: SamplingParameters(maxTokens: 1000), seed: 3)
        #expect(reply.finishReason == .stop)
        #expect(reply.text.hasSuffix("."))
        #expect(reply.text.hasPrefix(" "))
    }
}
