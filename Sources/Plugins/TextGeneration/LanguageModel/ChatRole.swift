/// Who wrote a chat message, as in OpenAI's chat completions.
enum ChatRole: String, Sendable, Hashable, Codable, CaseIterable {
    case system, user, assistant
}
