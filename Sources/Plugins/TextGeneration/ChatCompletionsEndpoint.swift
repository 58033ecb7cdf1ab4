package import OrganicPluginAPI
import PromptCorpus

/// `POST /v1/chat/completions`, OpenAI-compatible, streamed (`stream: true`) or not.
///
/// Callers send OpenAI's request; miners receive it with a validator-chosen seed, `stream: true`
/// and `logprobs: true` (``MinerChatRequest``), and stream `chat.completion.chunk` events back.
/// Callers pay per token: prompt tokens (counted by the node's tokenizer, never the miner's) and
/// the completion tokens they received. The reward verifies a sample of each answer's tokens
/// against the reference model's log-probabilities, so one answer is enough to score (organic
/// traffic is scored without a second miner), and multiplies by a speed factor.
package struct ChatCompletionsEndpoint: Endpoint {
    package typealias Request = ChatCompletionRequest
    package typealias Response = ChatCompletion
    package typealias MinerRequest = MinerChatRequest
    package typealias MinerResponse = ChatCompletion
    package typealias MinerChunk = ChatCompletionChunk
    package typealias CallerChunk = ChatCompletionChunk

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
        configuration.descriptor(name: "chat-completions", path: "chat/completions",
                                 summary: "Generates the next message of a conversation (OpenAI-compatible; streams with stream: true).")
    }

    package func validate(_ request: ChatCompletionRequest) throws(RequestValidationError) {
        try FieldCheck.oneOf(configuration.model(named: request.model), configuration.models, field: "model")
        try FieldCheck.count(request.messages, 1...configuration.maxMessages, field: "messages")
        for (i, message) in request.messages.enumerated() {
            guard message.chatRole != nil else {
                throw RequestValidationError(code: "unsupported_value", field: "messages[\(i)].role",
                                             message: "messages[\(i)].role must be one of: system, developer, user, assistant; got \(message.role).")
            }
            try FieldCheck.text(message.content, maxLength: configuration.maxMessageLength, field: "messages[\(i)].content", allowEmpty: true)
        }
        try configuration.validateSampling(temperature: request.temperature, topP: request.topP, maxTokens: request.maxTokens, n: request.n)
        if let m = request.maxCompletionTokens { try FieldCheck.range(m, 1...configuration.maxTokens, field: "max_completion_tokens") }
        if let m = request.minTokens { try FieldCheck.range(m, 0...maxTokens(of: request), field: "min_tokens") }
        if let k = request.topLogprobs { try FieldCheck.range(k, 0...20, field: "top_logprobs") }
    }

    package func minerRequest(for request: ChatCompletionRequest, context: inout PerturbationContext) -> MinerChatRequest {
        MinerChatRequest(model: configuration.model(named: request.model), messages: request.messages,
                         temperature: request.temperature ?? 1, topP: request.topP ?? 1,
                         maxTokens: maxTokens(of: request), minTokens: request.minTokens, seed: context.nextSeed(),
                         topLogprobs: request.logprobs == true ? request.topLogprobs : nil)
    }

    /// The validator picks the seed, whatever the caller sent.
    package func perturb(_ request: inout MinerChatRequest, context: inout PerturbationContext) {
        request.seed = context.nextSeed()
    }

    package func model(of request: ChatCompletionRequest) -> String? { configuration.model(named: request.model) }

    package func streamsToCaller(_ request: ChatCompletionRequest) -> Bool { request.stream ?? false }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> ChatCompletionRequest? {
        SyntheticChat.request(chain: prompts, models: configuration.models, maxTokens: min(configuration.defaultMaxTokens, 96), random: &context.random)
    }

    // MARK: Answers

    package func assemble(_ chunks: [ChatCompletionChunk], for request: MinerChatRequest) throws(ResponseValidationError) -> ChatCompletion {
        var content = ""
        var tokens: [TokenLogprob] = []
        var finishReason: String?
        var sawLogprobs = false
        for chunk in chunks {
            for choice in chunk.choices where choice.index == 0 {
                content += choice.delta.content ?? ""
                if let logprobs = choice.logprobs {
                    sawLogprobs = true
                    tokens += logprobs.content
                }
                if let reason = choice.finishReason { finishReason = reason }
            }
        }
        let first = chunks.first
        return ChatCompletion(id: first?.id ?? "", created: first?.created ?? 0, model: request.model,
                              choices: [.init(message: .init(content: content), logprobs: sawLogprobs ? ChoiceLogprobs(content: tokens) : nil,
                                              finishReason: finishReason)],
                              usage: nil)
    }

    package func validate(response: ChatCompletion, for request: MinerChatRequest) throws(ResponseValidationError) {
        guard let choice = response.choices.first else { throw ResponseValidationError("no choices") }
        guard let tokens = choice.logprobs?.content else { throw ResponseValidationError("no logprobs, which the validator asked for") }
        guard tokens.count <= request.maxTokens else {
            throw ResponseValidationError("\(tokens.count) tokens, more than max_tokens \(request.maxTokens)")
        }
        guard tokens.map(\.token).joined() == choice.message.content else {
            throw ResponseValidationError("logprobs tokens do not spell the content")
        }
        if let reason = choice.finishReason, FinishReason(rawValue: reason) == nil {
            throw ResponseValidationError("unknown finish_reason \(reason)")
        }
    }

    package func callerChunk(_ chunk: ChatCompletionChunk, index: Int, for request: MinerChatRequest, caller: ChatCompletionRequest) -> ChatCompletionChunk? {
        chunk.forCaller(model: request.model, usage: nil, logprobs: caller.logprobs == true)
    }

    /// The same change as ``callerChunk(_:index:for:caller:)``, made on the miner's text.
    package func callerChunkEdits(for request: MinerChatRequest, caller: ChatCompletionRequest) -> JSONEdits? {
        ChatCompletionChunk.callerEdits(model: request.model, logprobs: caller.logprobs == true)
    }

    package func closingChunks(_ response: ChatCompletion, for request: MinerChatRequest, caller: ChatCompletionRequest) -> [ChatCompletionChunk] {
        guard caller.streamOptions?.includeUsage == true else { return [] }
        return [.usageChunk(after: response, model: request.model, usage: tokenUsage(of: response, for: request))]
    }

    package func responseForCaller(_ response: ChatCompletion, to request: MinerChatRequest, caller: ChatCompletionRequest) throws(CallerRefusal) -> ChatCompletion {
        response.forCaller(model: request.model, usage: tokenUsage(of: response, for: request), logprobs: caller.logprobs == true)
    }

    // MARK: Pricing

    package func maximumUsage(of request: ChatCompletionRequest) -> Usage {
        Usage([TokenUsage.promptTokens: promptTokens(request.messages), TokenUsage.completionTokens: maxTokens(of: request)])
    }

    package func usage(of response: ChatCompletion, for request: MinerChatRequest, caller: ChatCompletionRequest) -> Usage {
        tokenUsage(of: response, for: request).priced
    }

    /// Tokens as the node counts them: the prompt by its own tokenizer, the answer by its tokens
    /// (never more than were asked for).
    func tokenUsage(of response: ChatCompletion, for request: MinerChatRequest) -> CompletionUsage {
        let choice = response.choices.first
        let completion = choice?.logprobs?.content.count ?? model.tokenizer.encode(choice?.message.content ?? "").count
        return CompletionUsage(promptTokens: promptTokens(request.messages), completionTokens: min(completion, request.maxTokens))
    }

    func promptTokens(_ messages: [ChatCompletionMessage]) -> Int {
        ChatPrompt(messages: messages.map(\.chatMessage), tokenizer: model.tokenizer).tokenCount
    }

    func maxTokens(of request: ChatCompletionRequest) -> Int {
        min(request.maxCompletionTokens ?? request.maxTokens ?? configuration.defaultMaxTokens, configuration.maxTokens)
    }

    // MARK: Reward

    package func reward(_ round: ScoringRound<MinerChatRequest, ChatCompletion>) async -> RewardVerdict {
        let reward = TextGenerationReward(model: model, configuration: configuration)
        let prompt = ChatPrompt(messages: round.request.messages.map(\.chatMessage), tokenizer: model.tokenizer).tokens
        let parameters = SamplingParameters(maxTokens: round.request.maxTokens, temperature: round.request.temperature, topP: round.request.topP,
                                            minTokens: round.request.minTokens ?? 0)
        var random = round.random
        return .rewards(round.answers.map { answer in
            let choice = answer.response.choices.first
            let claimed = (choice?.logprobs?.content ?? []).map { ClaimedToken(text: $0.token, logprob: $0.logprob) }
            return reward.reward(answer, claimed: claimed, finishReason: choice?.finishReason, prompt: prompt, parameters: parameters,
                                 random: &random)
        })
    }
}

extension ChatCompletionMessage {
    /// The message as the model reads it (roles the model cannot take were refused by validation).
    var chatMessage: ChatMessage { ChatMessage(role: chatRole ?? .user, content: content) }
}
