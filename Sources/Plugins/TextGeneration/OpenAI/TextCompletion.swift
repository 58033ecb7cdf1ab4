/// A legacy text completion, OpenAI's `text_completion` object. A streamed completion is a
/// sequence of these (each carrying the next piece of text), so the same shape serves as the
/// whole answer and as one chunk.
public struct TextCompletion: Codable, Sendable, Hashable {
    public var id: String
    public var object = "text_completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage?

    public struct Choice: Codable, Sendable, Hashable {
        public var text: String
        public var index: Int
        public var logprobs: Logprobs?
        public var finishReason: String?

        public init(text: String, index: Int = 0, logprobs: Logprobs? = nil, finishReason: String? = nil) {
            self.text = text
            self.index = index
            self.logprobs = logprobs
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey { case text, index, logprobs, finishReason = "finish_reason" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text)
            try c.encode(index, forKey: .index)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    /// The legacy log-probability shape: parallel arrays, one entry per token.
    public struct Logprobs: Codable, Sendable, Hashable {
        public var tokens: [String]
        public var tokenLogprobs: [Double]
        /// Per token, the most likely alternatives by token text (empty objects when not asked for).
        public var topLogprobs: [[String: Double]]
        /// Character offset of each token in the choice's text.
        public var textOffset: [Int]

        public init(tokens: [String] = [], tokenLogprobs: [Double] = [], topLogprobs: [[String: Double]] = [], textOffset: [Int] = []) {
            self.tokens = tokens
            self.tokenLogprobs = tokenLogprobs
            self.topLogprobs = topLogprobs
            self.textOffset = textOffset
        }

        enum CodingKeys: String, CodingKey {
            case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tokens = try c.decodeIfPresent([String].self, forKey: .tokens) ?? []
            tokenLogprobs = try c.decodeIfPresent([Double].self, forKey: .tokenLogprobs) ?? []
            topLogprobs = try c.decodeIfPresent([[String: Double]?].self, forKey: .topLogprobs)?.map { $0 ?? [:] } ?? []
            textOffset = try c.decodeIfPresent([Int].self, forKey: .textOffset) ?? []
        }
    }

    public init(id: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage? = nil) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "text_completion"
        created = try c.decodeIfPresent(Int.self, forKey: .created) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try c.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        usage = try c.decodeIfPresent(CompletionUsage.self, forKey: .usage)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(choices, forKey: .choices)
        try c.encodeIfPresent(usage, forKey: .usage)
    }
}
