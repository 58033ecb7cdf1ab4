package import OrganicPluginAPI

/// The envelope OpenAI wraps every completion in, whole or streamed: `chat.completion`,
/// `chat.completion.chunk` and `text_completion` differ only in their choices.
package struct OpenAICompletion<Choice: CompletionChoice>: Codable, Sendable, Hashable {
    package var id: String
    /// The object's type, such as `chat.completion.chunk`.
    package var object: String
    package var created: Int
    package var model: String
    package var choices: [Choice]
    /// Written only when present: OpenAI leaves it out of every chunk but the last.
    package var usage: CompletionUsage?

    package init(id: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage? = nil) {
        self.id = id
        object = Choice.object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    // Miners and inference servers leave out fields of the envelope; only the choices matter.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? Choice.object
        created = try c.decodeIfPresent(Int.self, forKey: .created) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try c.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        usage = try c.decodeIfPresent(CompletionUsage.self, forKey: .usage)
    }
}

/// One choice of an ``OpenAICompletion``.
package protocol CompletionChoice: Codable, Sendable, Hashable {
    /// The `object` of the envelope that carries this kind of choice.
    static var object: String { get }
    /// Whether the choice carries log-probabilities; setting false removes them.
    var hasLogprobs: Bool { get set }
    /// Limits the choice at `path` of a caller's event to the members this type reads, and its
    /// log-probabilities to null unless the caller asked for them (`logprobs`).
    static func limitCallerMembers(_ edits: inout JSONEdits, at path: [JSONPath.Component], logprobs: Bool)
}

extension OpenAICompletion {
    /// What a caller receives of a miner's completion or chunk: the model name it asked for, the
    /// node's own token count (nil on a chunk), and log-probabilities only when it asked for them.
    func forCaller(model: String, usage: CompletionUsage?, logprobs: Bool) -> Self {
        var delivered = self
        delivered.model = model
        delivered.usage = usage
        if !logprobs {
            for i in delivered.choices.indices { delivered.choices[i].hasLogprobs = false }
        }
        return delivered
    }

    /// ``forCaller(model:usage:logprobs:)`` for a chunk (no usage), as edits of its JSON text.
    /// Every object keeps only the members its type reads: a miner's own additions (a `tool_calls`
    /// the caller never asked for) do not reach callers, as they would not through the types.
    static func callerEdits(model: String, logprobs: Bool) -> JSONEdits {
        var edits = JSONEdits()
        edits.keepOnly(["id", "object", "created", "model", "choices"])
        edits.set("model", to: model)
        Choice.limitCallerMembers(&edits, at: ["choices", .eachElement], logprobs: logprobs)
        return edits
    }

    /// The last chunk of a stream when the caller asked for `stream_options.include_usage`: no
    /// choices, only `usage`.
    static func usageChunk<Whole>(after response: OpenAICompletion<Whole>, model: String, usage: CompletionUsage) -> Self {
        Self(id: response.id, created: response.created, model: model, choices: [], usage: usage)
    }
}

/// A whole chat completion: what a caller who did not ask for a stream receives, and what the
/// node assembles from a miner's stream for scoring.
package typealias ChatCompletion = OpenAICompletion<ChatCompletionChoice>
/// One event of a streamed chat completion: a miner sends one per token (or a few tokens), and the
/// node relays them to a streaming caller.
package typealias ChatCompletionChunk = OpenAICompletion<ChatCompletionChunkChoice>
/// A legacy text completion; a streamed one is a sequence of these, each with the next piece of text.
package typealias TextCompletion = OpenAICompletion<TextCompletionChoice>

/// Encodes optional fields as `null` rather than leaving them out, as OpenAI does: some clients
/// expect `finish_reason` and `logprobs` keys on every choice.
extension KeyedEncodingContainer {
    mutating func encodeOrNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        try encode(value, forKey: key)
    }
}
