/// Why generation ended, as OpenAI's `finish_reason`.
enum FinishReason: String, Sendable, Hashable, Codable {
    /// The model produced end-of-text.
    case stop
    /// `maxTokens` tokens were produced.
    case length
}
