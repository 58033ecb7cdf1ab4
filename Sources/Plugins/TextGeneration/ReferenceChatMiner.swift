public import OrganicPluginAPI

/// The reference miner for chat completions: the bundled n-gram model (no GPU, no downloaded
/// weights), sampled with the validator's seed, streamed token by token with log-probabilities.
///
/// Hardware noise moves each reported log-probability by at most 0.01, well inside the reward's
/// tolerance. Told to answer wrongly, it invents tokens: half the positions get a random
/// vocabulary token reported with the honest token's log-probability.
public struct ReferenceChatMiner: MinerHandler {
    public let endpoint: ChatCompletionsEndpoint
    let noiseSeed: UInt64?

    init(endpoint: ChatCompletionsEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    public func wantsStream(_ request: MinerChatRequest) -> Bool { request.stream }

    public func respond(to request: MinerChatRequest, context: MinerContext) async throws -> ChatCompletion {
        let chunks = chunks(for: request, context: context)
        return try endpoint.assemble(chunks, for: request)
    }

    public func stream(_ request: MinerChatRequest, context: MinerContext) -> AsyncThrowingStream<ChatCompletionChunk, any Error> {
        let chunks = chunks(for: request, context: context)
        return AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }

    /// The whole answer as OpenAI-style chunks: the role, one chunk per token, then the finish reason.
    func chunks(for request: MinerChatRequest, context: MinerContext) -> [ChatCompletionChunk] {
        let model = endpoint.model
        let prompt = ChatPrompt(messages: request.messages.map(\.chatMessage), tokenizer: model.tokenizer)
        let parameters = SamplingParameters(maxTokens: request.maxTokens, temperature: request.temperature, topP: request.topP,
                                            topLogprobs: request.topLogprobs ?? 0)
        var sampler = Sampler(model: model, prompt: prompt.tokens, parameters: parameters, seed: request.seed)
        var random = context.random
        var noise = noiseSeed.map { OrganicRandom(seed: $0 ^ request.seed) }
        let id = "chatcmpl-" + String(random.next(), radix: 36)
        let created = 1_700_000_000
        func chunk(_ delta: ChatCompletionChunk.Delta, logprobs: [TokenLogprob]? = nil, finish: String? = nil) -> ChatCompletionChunk {
            ChatCompletionChunk(id: id, created: created, model: request.model,
                                choices: [.init(delta: delta, logprobs: logprobs.map(ChoiceLogprobs.init(content:)), finishReason: finish)])
        }
        var chunks = [chunk(.init(role: "assistant", content: ""), logprobs: request.logprobs ? [] : nil)]
        while let token = sampler.next() {
            var text = token.text
            var logprob = token.logprob
            if var generator = noise {
                logprob += Double.random(in: -0.01...0.01, using: &generator)
                noise = generator
            }
            if context.answerWrongly, Bool.random(using: &random) {
                text = model.tokenizer.text(of: Int.random(in: 2..<model.vocabularySize, using: &random))
            }
            let alternatives = token.topLogprobs.map { TokenLogprob.Alternative(token: $0.text, logprob: $0.logprob) }
            chunks.append(chunk(.init(content: text),
                                logprobs: request.logprobs ? [TokenLogprob(token: text, logprob: logprob, topLogprobs: alternatives)] : nil))
        }
        chunks.append(chunk(.init(), logprobs: request.logprobs ? [] : nil, finish: (sampler.finishReason ?? .length).rawValue))
        return chunks
    }
}
