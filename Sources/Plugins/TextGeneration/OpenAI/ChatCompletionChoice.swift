package import OrganicPluginAPI

/// A choice of a whole chat completion.
package struct ChatCompletionChoice: CompletionChoice {
    package static let object = "chat.completion"

    package var index: Int
    package var message: Message
    package var logprobs: ChoiceLogprobs?
    /// `stop`, `length`, or nil for an answer cut short.
    package var finishReason: String?

    package var hasLogprobs: Bool {
        get { logprobs != nil }
        set { if !newValue { logprobs = nil } }
    }

    package struct Message: Codable, Sendable, Hashable {
        package var role: String
        package var content: String

        package init(role: String = "assistant", content: String) {
            self.role = role
            self.content = content
        }
    }

    package init(index: Int = 0, message: Message, logprobs: ChoiceLogprobs?, finishReason: String?) {
        self.index = index
        self.message = message
        self.logprobs = logprobs
        self.finishReason = finishReason
    }

    enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(message, forKey: .message)
        try c.encodeOrNull(logprobs, forKey: .logprobs)
        try c.encodeOrNull(finishReason, forKey: .finishReason)
    }
}

/// A choice of a streamed chat completion chunk: the next piece of the message.
package struct ChatCompletionChunkChoice: CompletionChoice {
    package static let object = "chat.completion.chunk"

    package var index: Int
    package var delta: Delta
    package var logprobs: ChoiceLogprobs?
    package var finishReason: String?

    package var hasLogprobs: Bool {
        get { logprobs != nil }
        set { if !newValue { logprobs = nil } }
    }

    package struct Delta: Codable, Sendable, Hashable {
        package var role: String?
        package var content: String?

        package init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    package init(index: Int = 0, delta: Delta, logprobs: ChoiceLogprobs? = nil, finishReason: String? = nil) {
        self.index = index
        self.delta = delta
        self.logprobs = logprobs
        self.finishReason = finishReason
    }

    enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(delta, forKey: .delta)
        try c.encodeOrNull(logprobs, forKey: .logprobs)
        try c.encodeOrNull(finishReason, forKey: .finishReason)
    }
}

extension ChatCompletionChoice {
    package static func limitCallerMembers(_ edits: inout JSONEdits, at path: [JSONPath.Component], logprobs: Bool) {
        ChoiceLogprobs.limitChatChoice(&edits, at: path, body: "message", logprobs: logprobs)
    }
}

extension ChatCompletionChunkChoice {
    package static func limitCallerMembers(_ edits: inout JSONEdits, at path: [JSONPath.Component], logprobs: Bool) {
        ChoiceLogprobs.limitChatChoice(&edits, at: path, body: "delta", logprobs: logprobs)
    }
}

extension ChoiceLogprobs {
    /// A chat choice's members (`body` is `message` or `delta`), and its tokens' when the caller asked for them.
    static func limitChatChoice(_ edits: inout JSONEdits, at path: [JSONPath.Component], body: String, logprobs: Bool) {
        edits.keepOnly(["index", body, "logprobs", "finish_reason"], at: JSONPath(path))
        edits.keepOnly(["role", "content"], at: JSONPath(path + [.member(body)]))
        guard logprobs else {
            edits.setNull(JSONPath(path + ["logprobs"]))
            return
        }
        edits.keepOnly(["content"], at: JSONPath(path + ["logprobs"]))
        let token = path + ["logprobs", "content", .eachElement]
        edits.keepOnly(["token", "logprob", "bytes", "top_logprobs"], at: JSONPath(token))
        edits.keepOnly(["token", "logprob", "bytes"], at: JSONPath(token + ["top_logprobs", .eachElement]))
    }
}
