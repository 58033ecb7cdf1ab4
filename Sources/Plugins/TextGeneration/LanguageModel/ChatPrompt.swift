/// The plain chat template: one "role: content" line per message, then "assistant:" for the reply.
///
/// The model is trained on replies that follow "\nassistant:", so every prompt ends in the context
/// a reply starts from. The reply's first token carries a leading space (" A"), like every word.
struct ChatPrompt: Sendable, Hashable {
    /// What the model conditions on; its count is the request's `prompt_tokens`.
    let tokens: [Int]
    let text: String

    init(messages: [ChatMessage], tokenizer: Tokenizer) {
        text = Self.render(messages)
        tokens = tokenizer.encode(text)
    }

    var tokenCount: Int { tokens.count }

    /// What precedes every reply, in the prompt and in training.
    static let replyHeader = "\nassistant:"

    static func render(_ messages: [ChatMessage]) -> String {
        var text = ""
        for message in messages { text += "\(message.role.rawValue): \(message.content)\n" }
        return text + "\(ChatRole.assistant.rawValue):"
    }
}
