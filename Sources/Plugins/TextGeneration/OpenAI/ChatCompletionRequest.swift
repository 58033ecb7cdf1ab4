/// `POST /v1/chat/completions` as OpenAI clients (and Subnet 19's) send it. Fields the node does
/// not use (`frequency_penalty`, `user`, …) are accepted and ignored; a caller's `seed` is ignored
/// too, because the validator chooses seeds.
package struct ChatCompletionRequest: Codable, Sendable, Hashable {
    /// A model name as listed by `/v1/models`; Subnet 19's clients may write `_` for `-`.
    /// Defaults to the first model the node serves.
    package var model: String?
    package var messages: [ChatCompletionMessage]
    package var temperature: Double?
    package var topP: Double?
    package var maxTokens: Int?
    /// OpenAI's newer name for `max_tokens`.
    package var maxCompletionTokens: Int?
    /// vLLM's extension: the answer does not end before this many tokens.
    package var minTokens: Int?
    package var stream: Bool?
    package var streamOptions: StreamOptions?
    package var logprobs: Bool?
    package var topLogprobs: Int?
    /// Only 1 is supported.
    package var n: Int?
    package var seed: Int?

    package struct StreamOptions: Codable, Sendable, Hashable {
        /// Send a last chunk with `usage` before `[DONE]`.
        package var includeUsage: Bool?

        package init(includeUsage: Bool? = nil) { self.includeUsage = includeUsage }

        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    package init(model: String? = nil, messages: [ChatCompletionMessage], temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil,
                minTokens: Int? = nil, stream: Bool? = nil, streamOptions: StreamOptions? = nil, logprobs: Bool? = nil, topLogprobs: Int? = nil) {
        self.minTokens = minTokens
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stream = stream
        self.streamOptions = streamOptions
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, topP = "top_p", maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens"
        case minTokens = "min_tokens"
        case stream, streamOptions = "stream_options", logprobs, topLogprobs = "top_logprobs", n, seed
    }
}

/// What a miner receives for a chat completion: the caller's conversation and sampling settings,
/// plus what only the validator sets: the seed, always a stream, always log-probabilities (the
/// reward checks them). An OpenAI-compatible inference server (vLLM) accepts it as it is.
package struct MinerChatRequest: Codable, Sendable, Hashable {
    package var model: String
    package var messages: [ChatCompletionMessage]
    package var temperature: Double
    package var topP: Double
    package var maxTokens: Int
    /// vLLM's `min_tokens`: end-of-text is not drawn before this many tokens (nil: no minimum).
    package var minTokens: Int?
    package var seed: UInt64
    package var stream: Bool
    package var logprobs: Bool
    package var topLogprobs: Int?

    package init(model: String, messages: [ChatCompletionMessage], temperature: Double, topP: Double, maxTokens: Int, minTokens: Int? = nil,
                seed: UInt64, stream: Bool = true, logprobs: Bool = true, topLogprobs: Int? = nil) {
        self.minTokens = minTokens
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.seed = seed
        self.stream = stream
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, topP = "top_p", maxTokens = "max_tokens", minTokens = "min_tokens", seed, stream, logprobs
        case topLogprobs = "top_logprobs"
    }
}
