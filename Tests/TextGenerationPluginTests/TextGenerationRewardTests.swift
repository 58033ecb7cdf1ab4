import OrganicPluginAPI
@testable import TextGenerationPlugin
import Testing

@Suite("Text-generation reward")
struct TextGenerationRewardTests {
    static func answer<R>(_ response: R, firstToken: Duration? = .milliseconds(50), latency: Duration = .milliseconds(400),
                          chunks: Int = 20) -> MinerAnswer<R> {
        MinerAnswer(miner: MinerIdentity(uid: 1, hotkey: "h"), response: response, latency: latency, responseBytes: 1000,
                    timeToFirstChunk: firstToken, chunkCount: chunks)
    }

    @Test("honest chat answers from miners with different hardware score 1; invented tokens score 0")
    func chat() async throws {
        let plugin = try TextGenerationPlugin()
        var context = PerturbationContext(random: OrganicRandom(seed: 3), seeds: .unassigned)
        for sample in 0..<20 {
            let caller = ChatCompletionRequest(messages: [.init(role: "user", content: "Describe scene \(sample).")], temperature: 0.8,
                                               topP: 0.95, maxTokens: 40)
            let request = plugin.chat.minerRequest(for: caller, context: &context)
            let a = try await ReferenceChatMiner(endpoint: plugin.chat, noiseSeed: 1).respond(to: request, context: .init(random: OrganicRandom(seed: 5)))
            let b = try await ReferenceChatMiner(endpoint: plugin.chat, noiseSeed: 2).respond(to: request, context: .init(random: OrganicRandom(seed: 6)))
            let wrong = try await ReferenceChatMiner(endpoint: plugin.chat, noiseSeed: 2)
                .respond(to: request, context: .init(answerWrongly: true, random: OrganicRandom(seed: UInt64(sample))))
            let round = ScoringRound(request: request, answers: [Self.answer(a), Self.answer(b), Self.answer(wrong)], isOrganic: true,
                                     timeout: .seconds(60), random: OrganicRandom(seed: UInt64(sample)))
            guard case .rewards(let rewards) = await plugin.chat.reward(round) else {
                Issue.record("inconclusive")
                return
            }
            #expect(rewards[0].score == 1, "\(rewards[0].reason ?? "")")
            #expect(rewards[1].score == 1, "\(rewards[1].reason ?? "")")
            #expect(rewards[2].score == 0, "sample \(sample): \(rewards[2].reason ?? "")")
        }
    }

    @Test("a slow miner earns less than a fast one for the same honest tokens")
    func speed() async throws {
        let plugin = try TextGenerationPlugin()
        var context = PerturbationContext(random: OrganicRandom(seed: 9), seeds: .unassigned)
        let request = plugin.chat.minerRequest(for: ChatCompletionRequest(messages: [.init(role: "user", content: "Hello")], maxTokens: 40),
                                               context: &context)
        let honest = try await ReferenceChatMiner(endpoint: plugin.chat, noiseSeed: nil).respond(to: request, context: .init())
        let fast = Self.answer(honest, firstToken: .milliseconds(100), latency: .milliseconds(600), chunks: 40)
        let slow = Self.answer(honest, firstToken: .seconds(4), latency: .seconds(20), chunks: 40)
        let round = ScoringRound(request: request, answers: [fast, slow], isOrganic: false, timeout: .seconds(60), random: OrganicRandom(seed: 1))
        guard case .rewards(let rewards) = await plugin.chat.reward(round) else { Issue.record("inconclusive"); return }
        #expect(rewards[0].score == 1)
        #expect(rewards[1].score > 0 && rewards[1].score <= 0.5, "\(rewards[1])")
    }

    @Test("text completions: honest scores 1, invented tokens 0")
    func completions() async throws {
        let plugin = try TextGenerationPlugin()
        var context = PerturbationContext(random: OrganicRandom(seed: 4), seeds: .unassigned)
        let request = plugin.completions.minerRequest(for: CompletionRequest(prompt: "A quiet harbour", maxTokens: 30, temperature: 0.7),
                                                      context: &context)
        let honest = try await ReferenceCompletionMiner(endpoint: plugin.completions, noiseSeed: 1).respond(to: request, context: .init())
        let wrong = try await ReferenceCompletionMiner(endpoint: plugin.completions, noiseSeed: 1)
            .respond(to: request, context: .init(answerWrongly: true, random: OrganicRandom(seed: 2)))
        let round = ScoringRound(request: request, answers: [Self.answer(honest), Self.answer(wrong)], isOrganic: false, timeout: .seconds(60),
                                 random: OrganicRandom(seed: 8))
        guard case .rewards(let rewards) = await plugin.completions.reward(round) else { Issue.record("inconclusive"); return }
        #expect(rewards.map(\.score) == [1, 0], "\(rewards)")
    }
}
