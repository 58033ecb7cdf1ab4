package import OrganicPluginAPI
import PromptCorpus

/// `POST /v1/completions`, OpenAI's legacy text completions: a raw prompt (no chat template)
/// continued by the model, streamed (`stream: true`) or not, priced and scored like
/// ``ChatCompletionsEndpoint``.
package struct CompletionsEndpoint: Endpoint {
    package typealias Request = CompletionRequest
    package typealias Response = TextCompletion
    package typealias MinerRequest = MinerCompletionRequest
    package typealias MinerResponse = TextCompletion
    package typealias MinerChunk = TextCompletion
    package typealias CallerChunk = TextCompletion

    let configuration: TextGenerationConfiguration
    let model: NGramLanguageModel
    /// The chain synthetic prompts are drawn from.
    let prompts: CaptionMarkovChain

    init(configuration: TextGenerationConfiguration, model: NGramLanguageModel, prompts: CaptionMarkovChain) {
        self.configuration = configuration
        self.model = model
        self.prompts = prompts
    }

    package var descriptor: EndpointDescriptor {
        configuration.descriptor(name: "completions", path: "completions",
                                 summary: "Continues a text prompt (OpenAI-compatible legacy completions; streams with stream: true).")
    }

    package func validate(_ request: CompletionRequest) throws(RequestValidationError) {
        try FieldCheck.oneOf(configuration.model(named: request.model), configuration.models, field: "model")
        try FieldCheck.text(request.prompt, maxLength: configuration.maxMessageLength, field: "prompt")
        try configuration.validateSampling(temperature: request.temperature, topP: request.topP, maxTokens: request.maxTokens, n: request.n)
        if let k = request.logprobs { try FieldCheck.range(k, 0...5, field: "logprobs") }
        if request.echo == true {
            throw RequestValidationError(code: "unsupported_value", field: "echo", message: "echo is not supported; send echo: false or leave it out.")
        }
    }

    package func minerRequest(for request: CompletionRequest, context: inout PerturbationContext) -> MinerCompletionRequest {
        MinerCompletionRequest(model: configuration.model(named: request.model), prompt: request.prompt, maxTokens: maxTokens(of: request),
                               temperature: request.temperature ?? 1, topP: request.topP ?? 1, seed: context.nextSeed(),
                               logprobs: request.logprobs ?? 0)
    }

    /// The validator picks the seed, whatever the caller sent.
    package func perturb(_ request: inout MinerCompletionRequest, context: inout PerturbationContext) {
        request.seed = context.nextSeed()
    }

    package func model(of request: CompletionRequest) -> String? { configuration.model(named: request.model) }

    package func streamsToCaller(_ request: CompletionRequest) -> Bool { request.stream ?? false }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> CompletionRequest? {
        let chat = SyntheticChat.request(chain: prompts, models: configuration.models, maxTokens: min(configuration.defaultMaxTokens, 96), random: &context.random)
        var request = CompletionRequest(model: chat.model, prompt: chat.messages.map(\.content).joined(separator: "\n"), maxTokens: chat.maxTokens,
                                        temperature: chat.temperature, topP: chat.topP, stream: true)
        request.logprobs = Int.random(in: 0...2, using: &context.random)
        return request
    }

    // MARK: Answers

    package func assemble(_ chunks: [TextCompletion], for request: MinerCompletionRequest) throws(ResponseValidationError) -> TextCompletion {
        var text = ""
        var logprobs = TextCompletionLogprobs()
        var sawLogprobs = false
        var finishReason: String?
        for chunk in chunks {
            for choice in chunk.choices where choice.index == 0 {
                if let piece = choice.logprobs {
                    sawLogprobs = true
                    // Offsets are rebased onto the assembled text.
                    let base = text.count
                    logprobs.tokens += piece.tokens
                    logprobs.tokenLogprobs += piece.tokenLogprobs
                    logprobs.topLogprobs += piece.topLogprobs
                    var offset = base
                    for token in piece.tokens {
                        logprobs.textOffset.append(offset)
                        offset += token.count
                    }
                }
                text += choice.text
                if let reason = choice.finishReason { finishReason = reason }
            }
        }
        let first = chunks.first
        return TextCompletion(id: first?.id ?? "", created: first?.created ?? 0, model: request.model,
                              choices: [.init(text: text, logprobs: sawLogprobs ? logprobs : nil, finishReason: finishReason)])
    }

    package func validate(response: TextCompletion, for request: MinerCompletionRequest) throws(ResponseValidationError) {
        guard let choice = response.choices.first else { throw ResponseValidationError("no choices") }
        guard let logprobs = choice.logprobs else { throw ResponseValidationError("no logprobs, which the validator asked for") }
        guard logprobs.tokens.count == logprobs.tokenLogprobs.count else {
            throw ResponseValidationError("logprobs.tokens and logprobs.token_logprobs differ in length")
        }
        guard logprobs.tokens.count <= request.maxTokens else {
            throw ResponseValidationError("\(logprobs.tokens.count) tokens, more than max_tokens \(request.maxTokens)")
        }
        guard logprobs.tokens.joined() == choice.text else { throw ResponseValidationError("logprobs tokens do not spell the text") }
        if let reason = choice.finishReason, FinishReason(rawValue: reason) == nil {
            throw ResponseValidationError("unknown finish_reason \(reason)")
        }
    }

    package func callerChunk(_ chunk: TextCompletion, index: Int, for request: MinerCompletionRequest, caller: CompletionRequest) -> TextCompletion? {
        chunk.forCaller(model: request.model, usage: nil, logprobs: caller.logprobs != nil)
    }

    /// The same change as ``callerChunk(_:index:for:caller:)``, made on the miner's text.
    package func callerChunkEdits(for request: MinerCompletionRequest, caller: CompletionRequest) -> JSONEdits? {
        TextCompletion.callerEdits(model: request.model, logprobs: caller.logprobs != nil)
    }

    package func closingChunks(_ response: TextCompletion, for request: MinerCompletionRequest, caller: CompletionRequest) -> [TextCompletion] {
        guard caller.streamOptions?.includeUsage == true else { return [] }
        return [.usageChunk(after: response, model: request.model, usage: tokenUsage(of: response, for: request))]
    }

    package func responseForCaller(_ response: TextCompletion, to request: MinerCompletionRequest, caller: CompletionRequest) throws(CallerRefusal) -> TextCompletion {
        response.forCaller(model: request.model, usage: tokenUsage(of: response, for: request), logprobs: caller.logprobs != nil)
    }

    // MARK: Pricing

    package func maximumUsage(of request: CompletionRequest) -> Usage {
        Usage([TokenUsage.promptTokens: model.tokenizer.encode(request.prompt).count, TokenUsage.completionTokens: maxTokens(of: request)])
    }

    package func usage(of response: TextCompletion, for request: MinerCompletionRequest, caller: CompletionRequest) -> Usage {
        tokenUsage(of: response, for: request).priced
    }

    func tokenUsage(of response: TextCompletion, for request: MinerCompletionRequest) -> CompletionUsage {
        let choice = response.choices.first
        let completion = choice?.logprobs?.tokens.count ?? model.tokenizer.encode(choice?.text ?? "").count
        return CompletionUsage(promptTokens: model.tokenizer.encode(request.prompt).count, completionTokens: min(completion, request.maxTokens))
    }

    /// OpenAI's legacy default is 16 tokens.
    func maxTokens(of request: CompletionRequest) -> Int {
        min(request.maxTokens ?? 16, configuration.maxTokens)
    }

    // MARK: Reward

    package func reward(_ round: ScoringRound<MinerCompletionRequest, TextCompletion>) async -> RewardVerdict {
        let reward = TextGenerationReward(model: model, configuration: configuration)
        let prompt = model.tokenizer.encode(round.request.prompt)
        let parameters = SamplingParameters(maxTokens: round.request.maxTokens, temperature: round.request.temperature, topP: round.request.topP)
        var random = round.random
        return .rewards(round.answers.map { answer in
            let choice = answer.response.choices.first
            let logprobs = choice?.logprobs
            let claimed = zip(logprobs?.tokens ?? [], logprobs?.tokenLogprobs ?? []).map { ClaimedToken(text: $0, logprob: $1) }
            return reward.reward(answer, claimed: claimed, finishReason: choice?.finishReason, prompt: prompt, parameters: parameters,
                                 random: &random)
        })
    }
}
