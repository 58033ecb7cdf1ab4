package import OrganicPluginAPI

/// A choice of a legacy text completion (whole, or one streamed piece).
package struct TextCompletionChoice: CompletionChoice {
    package static let object = "text_completion"

    package var text: String
    package var index: Int
    package var logprobs: TextCompletionLogprobs?
    package var finishReason: String?

    package var hasLogprobs: Bool {
        get { logprobs != nil }
        set { if !newValue { logprobs = nil } }
    }

    package init(text: String, index: Int = 0, logprobs: TextCompletionLogprobs? = nil, finishReason: String? = nil) {
        self.text = text
        self.index = index
        self.logprobs = logprobs
        self.finishReason = finishReason
    }

    enum CodingKeys: String, CodingKey { case text, index, logprobs, finishReason = "finish_reason" }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encode(index, forKey: .index)
        try c.encodeOrNull(logprobs, forKey: .logprobs)
        try c.encodeOrNull(finishReason, forKey: .finishReason)
    }
}

/// The legacy log-probability shape: parallel arrays, one entry per token.
package struct TextCompletionLogprobs: Codable, Sendable, Hashable {
    package var tokens: [String]
    package var tokenLogprobs: [Double]
    /// Per token, the most likely alternatives by token text (empty objects when not asked for).
    package var topLogprobs: [[String: Double]]
    /// Character offset of each token in the choice's text.
    package var textOffset: [Int]

    package init(tokens: [String] = [], tokenLogprobs: [Double] = [], topLogprobs: [[String: Double]] = [], textOffset: [Int] = []) {
        self.tokens = tokens
        self.tokenLogprobs = tokenLogprobs
        self.topLogprobs = topLogprobs
        self.textOffset = textOffset
    }

    enum CodingKeys: String, CodingKey {
        case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tokens = try c.decodeIfPresent([String].self, forKey: .tokens) ?? []
        tokenLogprobs = try c.decodeIfPresent([Double].self, forKey: .tokenLogprobs) ?? []
        topLogprobs = try c.decodeIfPresent([[String: Double]?].self, forKey: .topLogprobs)?.map { $0 ?? [:] } ?? []
        textOffset = try c.decodeIfPresent([Int].self, forKey: .textOffset) ?? []
    }
}

extension TextCompletionChoice {
    package static func limitCallerMembers(_ edits: inout JSONEdits, at path: [JSONPath.Component], logprobs: Bool) {
        edits.keepOnly(["text", "index", "logprobs", "finish_reason"], at: JSONPath(path))
        if logprobs {
            edits.keepOnly(["tokens", "token_logprobs", "top_logprobs", "text_offset"], at: JSONPath(path + ["logprobs"]))
        } else {
            edits.setNull(JSONPath(path + ["logprobs"]))
        }
    }
}
