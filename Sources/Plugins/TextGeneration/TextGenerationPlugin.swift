public import OrganicPluginAPI
import PromptCorpus

/// An LLM subnet: OpenAI-compatible chat completions, streamed, priced per token and scored by
/// verifying miners' tokens against a reference model's log-probabilities.
///
/// The reference "LLM" is an n-gram model over the bundled caption corpus, so the whole subnet
/// (node, miners, reward) runs anywhere without a GPU or downloaded weights. A subnet with a real
/// model keeps the endpoint and swaps the model behind the reward for a checking service (the
/// reward may suspend; see ``Endpoint/reward(_:)``).
public struct TextGenerationPlugin: SubnetPlugin {
    public static let name = "text-generation"
    public typealias Configuration = TextGenerationConfiguration

    package let chat: ChatCompletionsEndpoint
    package let completions: CompletionsEndpoint

    public init(configuration: TextGenerationConfiguration) throws {
        try configuration.check()
        let model = try NGramLanguageModel.bundled(), prompts = try CaptionMarkovChain.bundled()
        chat = ChatCompletionsEndpoint(configuration: configuration, model: model, prompts: prompts)
        completions = CompletionsEndpoint(configuration: configuration, model: model, prompts: prompts)
    }

    public var endpoints: [any Endpoint] { [chat, completions] }

    public func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] {
        [ReferenceChatMiner(endpoint: chat, noiseSeed: options.hardwareNoiseSeed),
         ReferenceCompletionMiner(endpoint: completions, noiseSeed: options.hardwareNoiseSeed)]
    }
}
