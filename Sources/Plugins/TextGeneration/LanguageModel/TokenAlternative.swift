/// A token and its log-probability: an entry of OpenAI's `top_logprobs`.
struct TokenAlternative: Sendable, Hashable {
    let id: Int
    let text: String
    let logprob: Double
}
