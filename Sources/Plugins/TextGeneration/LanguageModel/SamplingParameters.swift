/// A request's sampling settings, shared by the sampler and the verifier. The plugin validates
/// the ranges (finite temperature >= 0, top_p in (0, 1]); nothing here clamps them.
struct SamplingParameters: Sendable, Hashable {
    /// At most this many tokens are generated.
    var maxTokens: Int
    /// 0 is greedy; otherwise probabilities are raised to 1 / temperature.
    var temperature: Double
    /// Nucleus sampling: only the most likely tokens whose mass reaches `topP` (after temperature).
    var topP: Double
    /// End-of-text is not drawn before this many tokens (vLLM's `min_tokens`).
    var minTokens: Int
    /// How many alternatives each generated token reports (OpenAI's `top_logprobs`).
    var topLogprobs: Int

    init(maxTokens: Int, temperature: Double = 1, topP: Double = 1, minTokens: Int = 0, topLogprobs: Int = 0) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.minTokens = minTokens
        self.topLogprobs = topLogprobs
    }

    var isGreedy: Bool { temperature <= 0 }
}
