package import OrganicPluginAPI

/// The reference miner for chat completions: the bundled n-gram model (no GPU, no downloaded
/// weights), sampled with the validator's seed, streamed token by token with log-probabilities.
///
/// Hardware noise moves each reported log-probability by at most 0.01, well inside the reward's
/// tolerance. Told to answer wrongly, it invents tokens: half the positions get a random
/// vocabulary token reported with the honest token's log-probability.
package struct ReferenceChatMiner: MinerHandler {
    package let endpoint: ChatCompletionsEndpoint
    let noiseSeed: UInt64?

    init(endpoint: ChatCompletionsEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    package func wantsStream(_ request: MinerChatRequest) -> Bool { request.stream }

    package func respond(to request: MinerChatRequest, context: MinerContext) async throws -> ChatCompletion {
        let chunks = chunks(for: request, context: context)
        return try endpoint.assemble(chunks, for: request)
    }

    package func stream(_ request: MinerChatRequest, context: MinerContext) -> AsyncThrowingStream<ChatCompletionChunk, any Error> {
        referenceStream(chunks(for: request, context: context))
    }

    /// The whole answer as OpenAI-style chunks: the role, one chunk per token, then the finish reason.
    func chunks(for request: MinerChatRequest, context: MinerContext) -> [ChatCompletionChunk] {
        let model = endpoint.model
        let prompt = ChatPrompt(messages: request.messages.map(\.chatMessage), tokenizer: model.tokenizer)
        let parameters = SamplingParameters(maxTokens: request.maxTokens, temperature: request.temperature, topP: request.topP,
                                            minTokens: request.minTokens ?? 0,
                                            topLogprobs: request.topLogprobs ?? 0)
        let (tokens, finish) = ReferenceGeneration.generate(model: model, prompt: prompt.tokens, parameters: parameters, seed: request.seed,
                                                            noiseSeed: noiseSeed, context: context)
        var random = context.random
        let id = "chatcmpl-" + String(random.next(), radix: 36)
        func chunk(_ delta: ChatCompletionChunkChoice.Delta, logprobs: [TokenLogprob]? = nil, finish: String? = nil) -> ChatCompletionChunk {
            ChatCompletionChunk(id: id, created: ReferenceGeneration.created, model: request.model,
                                choices: [.init(delta: delta, logprobs: logprobs.map(ChoiceLogprobs.init(content:)), finishReason: finish)])
        }
        var chunks = [chunk(.init(role: "assistant", content: ""), logprobs: request.logprobs ? [] : nil)]
        for token in tokens {
            let alternatives = token.alternatives.map { TokenLogprob.Alternative(token: $0.text, logprob: $0.logprob) }
            chunks.append(chunk(.init(content: token.text),
                                logprobs: request.logprobs ? [TokenLogprob(token: token.text, logprob: token.logprob, topLogprobs: alternatives)] : nil))
        }
        chunks.append(chunk(.init(), logprobs: request.logprobs ? [] : nil, finish: finish.rawValue))
        return chunks
    }
}
