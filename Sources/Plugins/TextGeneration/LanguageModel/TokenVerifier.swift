import Foundation
import OrganicPluginAPI

/// Checks that a miner's tokens come from the reference model: the core of the reward.
///
/// Every claimed token must be a vocabulary token, so an invented one fails wherever it is. Then
/// the first position, `samples` random others and, when the miner claims `stop`, the end-of-text
/// after its last token are recomputed: the claimed log-probability must match the model's within
/// `tolerance`, and the token must be one the request's sampling settings could have drawn
/// (``SamplingCandidates``; near-ties within `tolerance` count).
///
/// Scoring is all or nothing: an honest miner passes every check by construction (the tolerance
/// absorbs hardware noise), so one failure is evidence of an altered answer, and a fraction would
/// let a miner that alters most tokens keep the share the sample happened to miss.
struct TokenVerifier: Sendable {
    let model: NGramLanguageModel
    /// Largest accepted difference between claimed and recomputed log-probabilities.
    let tolerance: Double

    init(model: NGramLanguageModel, tolerance: Double = 0.05) {
        self.model = model
        self.tolerance = tolerance
    }

    /// Verifies an answer to the prompt `prompt` (token ids, as ``ChatPrompt`` makes them).
    /// `finishReason` nil means the answer may be cut short (a stream that ended early): only its
    /// tokens are checked.
    func verify(prompt: [Int], claimed: [ClaimedToken], finishReason: FinishReason?, parameters: SamplingParameters,
                samples: Int, random: inout OrganicRandom) -> TokenVerification {
        guard claimed.count <= parameters.maxTokens else {
            return .failed("\(claimed.count) tokens, more than max_tokens \(parameters.maxTokens)")
        }
        var ids: [Int] = []
        ids.reserveCapacity(claimed.count)
        for (i, token) in claimed.enumerated() {
            guard let id = model.tokenizer.id(ofToken: token.text) else {
                return .failed("token \(i) \(Self.quote(token.text)) is not in the vocabulary")
            }
            ids.append(id)
        }
        if finishReason == .length && claimed.count != parameters.maxTokens {
            return .failed("finish_reason length after \(claimed.count) of \(parameters.maxTokens) tokens")
        }
        if finishReason == .stop && claimed.count < parameters.minTokens {
            return .failed("finish_reason stop after \(claimed.count) tokens, min_tokens is \(parameters.minTokens)")
        }
        guard !claimed.isEmpty || finishReason == .stop else { return .failed("no tokens") }

        let context = prompt + ids
        var checked = 0
        for i in positions(count: claimed.count, samples: samples, random: &random) {
            let probabilities = model.probabilities(context: context[..<(prompt.count + i)])
            let recomputed = Foundation.log(probabilities[ids[i]])
            let logprob = claimed[i].logprob
            guard logprob.isFinite, abs(logprob - recomputed) <= tolerance else {
                return .failed("token \(i) \(Self.quote(claimed[i].text)): logprob \(Self.format(logprob)), model \(Self.format(recomputed))",
                               checked: checked)
            }
            let candidates = SamplingCandidates(probabilities: probabilities, step: i, parameters: parameters)
            guard candidates.admits(ids[i], tolerance: tolerance) else {
                return .failed("token \(i) \(Self.quote(claimed[i].text)) cannot be drawn with \(Self.describe(parameters))",
                               checked: checked)
            }
            checked += 1
        }
        if finishReason == .stop {
            let probabilities = model.probabilities(context: context)
            let candidates = SamplingCandidates(probabilities: probabilities, step: claimed.count, parameters: parameters)
            guard candidates.admits(Tokenizer.endOfText, tolerance: tolerance) else {
                return .failed("end of text cannot be drawn after token \(claimed.count) with \(Self.describe(parameters))",
                               checked: checked)
            }
            checked += 1
        }
        return TokenVerification(score: 1, checked: checked, reason: "\(checked) of \(claimed.count) tokens checked")
    }

    /// Position 0, always (the cheapest to fake), and `samples` distinct others, in order.
    private func positions(count: Int, samples: Int, random: inout OrganicRandom) -> [Int] {
        guard count > 0 else { return [] }
        var rest = Array(1..<count)
        let picked = min(max(samples, 0), rest.count)
        for j in 0..<picked {
            rest.swapAt(j, j + Int(random.next() % UInt64(rest.count - j)))
        }
        return [0] + rest[..<picked].sorted()
    }

    private static func quote(_ text: String) -> String { String(reflecting: String(text.prefix(40))) }

    private static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    private static func describe(_ p: SamplingParameters) -> String {
        p.isGreedy ? "temperature 0" : "temperature \(p.temperature), top_p \(p.topP)"
    }
}
