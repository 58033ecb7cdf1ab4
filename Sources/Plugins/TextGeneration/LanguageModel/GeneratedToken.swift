/// One sampled token, as the miner reports it.
struct GeneratedToken: Sendable, Hashable {
    let id: Int
    let text: String
    /// Natural log of the token's probability under the raw distribution (temperature 1, no
    /// top-p), which is what vLLM reports and what the validator recomputes.
    let logprob: Double
    /// The most likely tokens at this step, when asked for; empty otherwise.
    let topLogprobs: [TokenAlternative]
}
