/// One message of an OpenAI-style conversation.
struct ChatMessage: Sendable, Hashable, Codable {
    var role: ChatRole
    var content: String

    init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }
}
