package import OrganicPluginAPI

/// The reference miner for text completions: the same model and faults as ``ReferenceChatMiner``,
/// on a raw prompt, streamed as one `text_completion` chunk per token.
package struct ReferenceCompletionMiner: MinerHandler {
    package let endpoint: CompletionsEndpoint
    let noiseSeed: UInt64?

    init(endpoint: CompletionsEndpoint, noiseSeed: UInt64?) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    package func wantsStream(_ request: MinerCompletionRequest) -> Bool { request.stream }

    package func respond(to request: MinerCompletionRequest, context: MinerContext) async throws -> TextCompletion {
        try endpoint.assemble(chunks(for: request, context: context), for: request)
    }

    package func stream(_ request: MinerCompletionRequest, context: MinerContext) -> AsyncThrowingStream<TextCompletion, any Error> {
        referenceStream(chunks(for: request, context: context))
    }

    func chunks(for request: MinerCompletionRequest, context: MinerContext) -> [TextCompletion] {
        let model = endpoint.model
        let parameters = SamplingParameters(maxTokens: request.maxTokens, temperature: request.temperature, topP: request.topP,
                                            topLogprobs: request.logprobs)
        let (tokens, finish) = ReferenceGeneration.generate(model: model, prompt: model.tokenizer.encode(request.prompt), parameters: parameters,
                                                            seed: request.seed, noiseSeed: noiseSeed, context: context)
        var random = context.random
        let id = "cmpl-" + String(random.next(), radix: 36)
        var chunks = tokens.map { token in
            let top = Dictionary(token.alternatives.map { ($0.text, $0.logprob) }, uniquingKeysWith: { a, _ in a })
            return TextCompletion(id: id, created: ReferenceGeneration.created, model: request.model, choices: [
                .init(text: token.text, logprobs: .init(tokens: [token.text], tokenLogprobs: [token.logprob], topLogprobs: [top], textOffset: [0])),
            ])
        }
        chunks.append(TextCompletion(id: id, created: ReferenceGeneration.created, model: request.model,
                                     choices: [.init(text: "", logprobs: .init(), finishReason: finish.rawValue)]))
        return chunks
    }
}
