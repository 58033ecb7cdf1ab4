import OrganicPluginAPI
import OrganicTestKit
import Testing
import WordCountPlugin

@Suite("Word-count plugin")
struct WordCountPluginTests {
    @Test("passes the framework's conformance suite")
    func conformance() async throws {
        try await PluginConformance.check(try WordCountPlugin(), samples: 100)
    }

    @Test("words: letters, digits and inner apostrophes, in lower case")
    func words() {
        #expect(WordCounter.words(in: "The cat's 'hat' — and THE 2 cats!") == ["the", "cat's", "hat", "and", "the", "2", "cats"])
        #expect(WordCounter.words(in: "  ...  '' ") == [])
        #expect(WordCounter.words(in: "Café o’clock") == ["café", "o’clock"])
    }

    @Test("counts, with ties in alphabetical order")
    func counts() {
        let answer = WordCounter.count("b a b c a d b", top: 3)
        #expect(answer == WordCountResponse(words: 7, uniqueWords: 4, top: [
            WordFrequency(word: "b", count: 3), WordFrequency(word: "a", count: 2), WordFrequency(word: "c", count: 1),
        ]))
        #expect(WordCounter.count("one two", top: 10).top.count == 2)
        #expect(WordCounter.count("?!", top: 5) == WordCountResponse(words: 0, uniqueWords: 0, top: []))
    }

    @Test("requests and impossible answers are refused")
    func validation() throws {
        let endpoint = try WordCountPlugin().wordCount
        #expect(throws: RequestValidationError.self) { try endpoint.validate(WordCountRequest(text: "   ")) }
        #expect(throws: RequestValidationError.self) { try endpoint.validate(WordCountRequest(text: "hi", top: 21)) }
        let request = WordCountRequest(text: "a b a", top: 2)
        try endpoint.validate(response: WordCounter.count(request.text, top: request.top), for: request)
        let impossible = [
            WordCountResponse(words: 2, uniqueWords: 3, top: [WordFrequency(word: "a", count: 1), WordFrequency(word: "b", count: 1)]),
            WordCountResponse(words: 3, uniqueWords: 2, top: [WordFrequency(word: "a", count: 2)]),
            WordCountResponse(words: 3, uniqueWords: 2, top: [WordFrequency(word: "b", count: 1), WordFrequency(word: "a", count: 2)]),
            WordCountResponse(words: 3, uniqueWords: 2, top: [WordFrequency(word: "a", count: 2), WordFrequency(word: "a", count: 2)]),
        ]
        for response in impossible {
            #expect(throws: ResponseValidationError.self) { try endpoint.validate(response: response, for: request) }
        }
    }

    @Test("agreeing miners earn full reward; a miner that counts wrongly earns nothing")
    func reward() async throws {
        let plugin = try WordCountPlugin()
        let miner = WordCountMiner(endpoint: plugin.wordCount)
        let request = WordCountRequest(text: "Rain over the harbour, rain over the bridge.", top: 3)
        let honest = try await miner.respond(to: request, context: MinerContext())
        let wrong = try await miner.respond(to: request, context: MinerContext(answerWrongly: true))
        #expect(honest != wrong)
        func round(_ responses: [WordCountResponse]) -> ScoringRound<WordCountRequest, WordCountResponse> {
            let answers = responses.enumerated().map { index, response in
                MinerAnswer(miner: MinerIdentity(uid: UInt16(index), hotkey: "m\(index)"), response: response, latency: .milliseconds(5), responseBytes: 100)
            }
            return ScoringRound(request: request, answers: answers, isOrganic: false, timeout: .seconds(2))
        }
        #expect(plugin.wordCount.reward(round([honest, honest])) == .rewards([MinerReward(score: 1), MinerReward(score: 1)]))
        #expect(plugin.wordCount.reward(round([honest, honest, wrong])) == .rewards([MinerReward(score: 0.5), MinerReward(score: 0.5), MinerReward(score: 0)]))
        if case .inconclusive = plugin.wordCount.reward(round([honest])) {} else { Issue.record("one answer cannot be compared") }
    }

    @Test("serves a request end to end through a node and its reference miners")
    func endToEnd() async throws {
        try await PluginHarness.run(plugins: [try WordCountPlugin()], miners: PluginHarness.honestMiners(2)) { net in
            let request = WordCountRequest(text: "It is what it is.", top: 2)
            let reply = try await net.post("/v1/word-count", json: request)
            #expect(reply.status == 200)
            #expect(try reply.decode(WordCountResponse.self) == WordCounter.count(request.text, top: 2))

            let refused = try await net.post("/v1/word-count", json: WordCountRequest(text: "hi", top: -1))
            #expect(refused.status == 400)
        }
    }
}
