/// One token of an answer with its log-probability: an entry of OpenAI's `logprobs.content`.
package struct TokenLogprob: Codable, Sendable, Hashable {
    package var token: String
    package var logprob: Double
    /// The token's UTF-8 bytes, as OpenAI reports them.
    package var bytes: [UInt8]?
    /// The most likely tokens at this position, when asked for (`top_logprobs`).
    package var topLogprobs: [Alternative]

    package struct Alternative: Codable, Sendable, Hashable {
        package var token: String
        package var logprob: Double
        package var bytes: [UInt8]?

        package init(token: String, logprob: Double) {
            self.token = token
            self.logprob = logprob
            bytes = Array(token.utf8)
        }
    }

    package init(token: String, logprob: Double, topLogprobs: [Alternative] = []) {
        self.init(token: token, logprob: logprob, bytes: Array(token.utf8), topLogprobs: topLogprobs)
    }

    /// With `bytes` as a miner reported them (nil when it left them out).
    package init(token: String, logprob: Double, bytes: [UInt8]?, topLogprobs: [Alternative]) {
        self.token = token
        self.logprob = logprob
        self.bytes = bytes
        self.topLogprobs = topLogprobs
    }

    enum CodingKeys: String, CodingKey {
        case token, logprob, bytes, topLogprobs = "top_logprobs"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decode(String.self, forKey: .token)
        logprob = try c.decode(Double.self, forKey: .logprob)
        bytes = try c.decodeIfPresent([UInt8].self, forKey: .bytes)
        topLogprobs = try c.decodeIfPresent([Alternative].self, forKey: .topLogprobs) ?? []
    }
}

/// OpenAI's `logprobs` object of a choice: the tokens of the answer, in order.
package struct ChoiceLogprobs: Codable, Sendable, Hashable {
    package var content: [TokenLogprob]

    package init(content: [TokenLogprob]) { self.content = content }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        content = try c.decodeIfPresent([TokenLogprob].self, forKey: .content) ?? []
    }
}
