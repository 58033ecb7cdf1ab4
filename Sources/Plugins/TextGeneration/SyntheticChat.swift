import OrganicPluginAPI
import PromptCorpus

/// Synthetic chat requests: a short conversation built from the caption Markov chain, with
/// sampling settings in the ranges real callers use, so miners cannot tell them from organic ones.
enum SyntheticChat {
    static let openers = ["Describe", "Write a short story about", "Tell me about", "Imagine", "Paint with words", "Continue this scene:"]

    static func request(chain: CaptionMarkovChain, models: [String], maxTokens: Int, random: inout OrganicRandom) -> ChatCompletionRequest {
        var messages: [ChatCompletionMessage] = []
        if Double.random(in: 0..<1, using: &random) < 0.3 {
            messages.append(.init(role: "system", content: "You are a helpful assistant that describes scenes."))
        }
        let opener = openers.randomElement(using: &random) ?? "Describe"
        let scene = chain.sentence(using: &random, maxWords: 18).joined(separator: " ")
        messages.append(.init(role: "user", content: "\(opener) \(scene)."))
        let greedy = Double.random(in: 0..<1, using: &random) < 0.2
        return ChatCompletionRequest(
            model: models.randomElement(using: &random),
            messages: messages,
            temperature: greedy ? 0 : [0.5, 0.7, 1.0].randomElement(using: &random),
            topP: [1.0, 0.95, 0.9].randomElement(using: &random),
            maxTokens: Int.random(in: 16...max(maxTokens, 16), using: &random),
            stream: true)
    }
}
