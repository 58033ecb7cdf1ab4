/// `POST /v1/completions` (OpenAI's legacy text completions): a raw prompt continued by the model.
/// `logprobs` is a count of alternatives per token here (0…5), as in OpenAI's legacy API.
package struct CompletionRequest: Codable, Sendable, Hashable {
    package var model: String?
    /// One prompt; OpenAI also accepts a list, of which exactly one string is supported.
    package var prompt: String
    package var maxTokens: Int?
    package var temperature: Double?
    package var topP: Double?
    package var stream: Bool?
    package var streamOptions: ChatCompletionRequest.StreamOptions?
    package var logprobs: Int?
    package var echo: Bool?
    package var n: Int?
    package var seed: Int?

    package init(model: String? = nil, prompt: String, maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil,
                stream: Bool? = nil, logprobs: Int? = nil) {
        self.model = model
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.stream = stream
        self.logprobs = logprobs
    }

    enum CodingKeys: String, CodingKey {
        case model, prompt, maxTokens = "max_tokens", temperature, topP = "top_p", stream, streamOptions = "stream_options"
        case logprobs, echo, n, seed
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        if let text = try? c.decode(String.self, forKey: .prompt) {
            prompt = text
        } else {
            let list = try c.decode([String].self, forKey: .prompt)
            guard list.count == 1 else {
                throw DecodingError.dataCorruptedError(forKey: .prompt, in: c, debugDescription: "exactly one prompt is supported")
            }
            prompt = list[0]
        }
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try c.decodeIfPresent(ChatCompletionRequest.StreamOptions.self, forKey: .streamOptions)
        logprobs = try c.decodeIfPresent(Int.self, forKey: .logprobs)
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo)
        n = try c.decodeIfPresent(Int.self, forKey: .n)
        seed = try c.decodeIfPresent(Int.self, forKey: .seed)
    }
}

/// What a miner receives for a text completion: the caller's prompt and sampling settings with
/// the validator's seed, a stream, and log-probabilities always on (`logprobs` ≥ 0 alternatives).
package struct MinerCompletionRequest: Codable, Sendable, Hashable {
    package var model: String
    package var prompt: String
    package var maxTokens: Int
    package var temperature: Double
    package var topP: Double
    package var seed: UInt64
    package var stream: Bool
    package var logprobs: Int

    package init(model: String, prompt: String, maxTokens: Int, temperature: Double, topP: Double, seed: UInt64, stream: Bool = true, logprobs: Int = 0) {
        self.model = model
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.stream = stream
        self.logprobs = logprobs
    }

    enum CodingKeys: String, CodingKey {
        case model, prompt, maxTokens = "max_tokens", temperature, topP = "top_p", seed, stream, logprobs
    }
}
