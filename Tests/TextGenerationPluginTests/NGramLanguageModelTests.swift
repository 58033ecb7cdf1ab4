import Foundation
import PropertyBased
import Testing
@testable import TextGenerationPlugin

@Suite("N-gram language model")
struct NGramLanguageModelTests {
    let model: NGramLanguageModel

    init() throws { model = try NGramLanguageModel.bundled() }

    @Test("under any context every token has a probability above 0 and they sum to 1")
    func distribution() async {
        let size = model.vocabularySize
        await propertyCheck(input: Gen.int(in: 0...(size - 1)).array(of: 0...8), Gen.int(in: 0...(size - 1))) { context, token in
            let p = model.probabilities(context: context)
            #expect(p.count == size)
            #expect(p.allSatisfy { $0 > 0 && $0 <= 1 })
            #expect(abs(p.reduce(0, +) - 1) < 1e-6)
            // The single-token path does the same arithmetic, to the bit.
            #expect(model.probability(of: token, context: context) == p[token])
            #expect(model.logProbability(of: token, context: context) == log(p[token]))
            #expect(model.logProbabilities(context: context)[token] == log(p[token]))
        }
    }

    @Test("trained continuations dominate: a one-caption corpus is replayed almost surely")
    func learns() {
        let tiny = NGramLanguageModel(corpus: "a red fox runs\n")
        let tokens = tiny.tokenizer.encode(ChatPrompt.replyHeader + " A red fox runs.")
        let header = tiny.tokenizer.encode(ChatPrompt.replyHeader).count
        for i in header..<tokens.count {
            #expect(tiny.probability(of: tokens[i], context: tokens[..<i]) > 0.5)
        }
        #expect(tiny.probability(of: Tokenizer.endOfText, context: tokens) > 0.5)
    }

    @Test("a reply starts with a capitalised sentence; an unseen context backs off but stays a distribution")
    func bundledShape() {
        let header = model.tokenizer.encode(ChatPrompt.replyHeader)
        let first = model.top(3, of: model.probabilities(context: header))
        #expect(first.allSatisfy { $0.text.first == " " && $0.text.dropFirst().first?.isUppercase == true })
        #expect(first.map(\.logprob) == first.map(\.logprob).sorted(by: >))
        let unseen = model.tokenizer.encode("zzz qqq")
        #expect(model.probabilities(context: unseen) != model.probabilities(context: header))
    }

    @Test("top alternatives are the most likely tokens, in order, ties by id")
    func topAlternatives() {
        let p = [0.1, 0.3, 0.05, 0.3, 0.25]
        #expect(model.top(3, of: p).map(\.id) == [1, 3, 4])
        #expect(model.top(0, of: p).isEmpty)
        #expect(model.top(9, of: p).map(\.id) == [1, 3, 4, 0, 2])
    }
}
