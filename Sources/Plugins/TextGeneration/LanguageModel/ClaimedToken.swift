/// A token of a miner's answer as it reports it: OpenAI's `logprobs.content[i]`.
struct ClaimedToken: Sendable, Hashable {
    let text: String
    let logprob: Double

    init(text: String, logprob: Double) {
        self.text = text
        self.logprob = logprob
    }
}
