/// `POST /v1/chat/completions` as OpenAI clients (and Subnet 19's) send it. Fields the node does
/// not use (`frequency_penalty`, `user`, …) are accepted and ignored; a caller's `seed` is ignored
/// too, because the validator chooses seeds.
public struct ChatCompletionRequest: Codable, Sendable, Hashable {
    /// A model name as listed by `/v1/models`; Subnet 19's clients may write `_` for `-`.
    /// Defaults to the first model the node serves.
    public var model: String?
    public var messages: [ChatCompletionMessage]
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    /// OpenAI's newer name for `max_tokens`.
    public var maxCompletionTokens: Int?
    /// vLLM's extension: the answer does not end before this many tokens.
    public var minTokens: Int?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var logprobs: Bool?
    public var topLogprobs: Int?
    /// Only 1 is supported.
    public var n: Int?
    public var seed: Int?

    public struct StreamOptions: Codable, Sendable, Hashable {
        /// Send a last chunk with `usage` before `[DONE]`.
        public var includeUsage: Bool?

        public init(includeUsage: Bool? = nil) { self.includeUsage = includeUsage }

        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    public init(model: String? = nil, messages: [ChatCompletionMessage], temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil,
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
public struct MinerChatRequest: Codable, Sendable, Hashable {
    public var model: String
    public var messages: [ChatCompletionMessage]
    public var temperature: Double
    public var topP: Double
    public var maxTokens: Int
    /// vLLM's `min_tokens`: end-of-text is not drawn before this many tokens (nil: no minimum).
    public var minTokens: Int?
    public var seed: UInt64
    public var stream: Bool
    public var logprobs: Bool
    public var topLogprobs: Int?

    public init(model: String, messages: [ChatCompletionMessage], temperature: Double, topP: Double, maxTokens: Int, minTokens: Int? = nil,
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
