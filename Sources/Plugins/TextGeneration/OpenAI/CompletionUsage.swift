import OrganicPluginAPI

/// OpenAI's `usage` object: tokens in the prompt and in the answer.
package struct CompletionUsage: Codable, Sendable, Hashable {
    package var promptTokens: Int
    package var completionTokens: Int
    package var totalTokens: Int

    package init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        totalTokens = promptTokens + completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }

    /// The same counts in the units the endpoints are priced in.
    var priced: Usage {
        Usage([TokenUsage.promptTokens: promptTokens, TokenUsage.completionTokens: completionTokens])
    }
}
