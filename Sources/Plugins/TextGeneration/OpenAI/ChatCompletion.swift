/// A whole chat completion, OpenAI's `chat.completion` object: what a caller who did not ask for
/// a stream receives, and what the node assembles from a miner's stream for scoring.
public struct ChatCompletion: Codable, Sendable, Hashable {
    public var id: String
    public var object = "chat.completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage?

    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var message: Message
        public var logprobs: ChoiceLogprobs?
        /// `stop`, `length`, or nil for an answer cut short.
        public var finishReason: String?

        public init(index: Int = 0, message: Message, logprobs: ChoiceLogprobs?, finishReason: String?) {
            self.index = index
            self.message = message
            self.logprobs = logprobs
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }

        // OpenAI writes absent values as null; some clients expect the keys.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message, forKey: .message)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    public struct Message: Codable, Sendable, Hashable {
        public var role: String
        public var content: String

        public init(role: String = "assistant", content: String) {
            self.role = role
            self.content = content
        }
    }

    public init(id: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage?) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "chat.completion"
        created = try c.decodeIfPresent(Int.self, forKey: .created) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try c.decode([Choice].self, forKey: .choices)
        usage = try c.decodeIfPresent(CompletionUsage.self, forKey: .usage)
    }
}
