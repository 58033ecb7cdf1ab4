/// A choice of a whole chat completion.
public struct ChatCompletionChoice: CompletionChoice {
    public static let object = "chat.completion"

    public var index: Int
    public var message: Message
    public var logprobs: ChoiceLogprobs?
    /// `stop`, `length`, or nil for an answer cut short.
    public var finishReason: String?

    public var hasLogprobs: Bool {
        get { logprobs != nil }
        set { if !newValue { logprobs = nil } }
    }

    public struct Message: Codable, Sendable, Hashable {
        public var role: String
        public var content: String

        public init(role: String = "assistant", content: String) {
            self.role = role
            self.content = content
        }
    }

    public init(index: Int = 0, message: Message, logprobs: ChoiceLogprobs?, finishReason: String?) {
        self.index = index
        self.message = message
        self.logprobs = logprobs
        self.finishReason = finishReason
    }

    enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(message, forKey: .message)
        try c.encodeOrNull(logprobs, forKey: .logprobs)
        try c.encodeOrNull(finishReason, forKey: .finishReason)
    }
}

/// A choice of a streamed chat completion chunk: the next piece of the message.
public struct ChatCompletionChunkChoice: CompletionChoice {
    public static let object = "chat.completion.chunk"

    public var index: Int
    public var delta: Delta
    public var logprobs: ChoiceLogprobs?
    public var finishReason: String?

    public var hasLogprobs: Bool {
        get { logprobs != nil }
        set { if !newValue { logprobs = nil } }
    }

    public struct Delta: Codable, Sendable, Hashable {
        public var role: String?
        public var content: String?

        public init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    public init(index: Int = 0, delta: Delta, logprobs: ChoiceLogprobs? = nil, finishReason: String? = nil) {
        self.index = index
        self.delta = delta
        self.logprobs = logprobs
        self.finishReason = finishReason
    }

    enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(delta, forKey: .delta)
        try c.encodeOrNull(logprobs, forKey: .logprobs)
        try c.encodeOrNull(finishReason, forKey: .finishReason)
    }
}
