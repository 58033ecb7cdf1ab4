import Foundation
import PromptCorpus

/// A 4-gram language model over the bundled captions: the reference "LLM" of the text-generation
/// plugin, with no weights to download and no GPU.
///
/// Smoothing is interpolated absolute discounting down to a uniform distribution: at each order
/// with a seen context h, p(w | h) = max(c(h w) − D, 0) / c(h) + D · N(h) / c(h) · p(w | shorter h),
/// where N(h) is the number of distinct successors of h. Every token thus has a probability above
/// zero under any context and the distribution sums to 1. A context shorter than three tokens is
/// padded with end-of-text. The arithmetic is a fixed sequence of `Double` operations, so miner and
/// validator compute the same numbers from the same code.
struct NGramLanguageModel: Sendable {
    static let order = 4
    static let discount = 0.75

    let tokenizer: Tokenizer
    /// `tables[k]` holds the n-grams with a context of k tokens.
    private let tables: [NGramCounts]

    var vocabularySize: Int { tokenizer.vocabularySize }

    /// Trains on a caption corpus, one caption per line (see ``TrainingReplies``).
    init(corpus: String) {
        let replies = TrainingReplies.make(corpus: corpus)
        let template = ChatRole.allCases.map { "\($0.rawValue): \n" } + [ChatPrompt.replyHeader]
        let tokenizer = Tokenizer(trainingText: replies + template)
        precondition(tokenizer.vocabularySize <= 1 << NGramCounts.bitsPerToken, "vocabulary too large for 16-bit ids")
        let header = tokenizer.encode(ChatPrompt.replyHeader)
        let padding = [Int](repeating: Tokenizer.endOfText, count: Self.order - 1)
        var ngrams = [[UInt64]](repeating: [], count: Self.order)
        for reply in replies {
            // Only the reply and its end are predicted; the header is context.
            let sequence = padding + header + tokenizer.encode(reply) + [Tokenizer.endOfText]
            for i in (padding.count + header.count)..<sequence.count {
                for k in 0..<Self.order {
                    ngrams[k].append(NGramCounts.key(sequence[(i - k)...i]))
                }
            }
        }
        self.tokenizer = tokenizer
        tables = ngrams.map(NGramCounts.init(ngrams:))
    }

    /// The model trained on the bundled caption corpus, built on first use.
    static func bundled() throws(CaptionCorpusError) -> NGramLanguageModel { try bundledModel.get() }

    private static let bundledModel = Result { () throws(CaptionCorpusError) in NGramLanguageModel(corpus: try BundledCaptions.text()) }

    /// The next-token distribution over the whole vocabulary (indexed by token id).
    func probabilities(context: some Collection<Int>) -> [Double] {
        let history = Self.history(context)
        var p = [Double](repeating: 1 / Double(vocabularySize), count: vocabularySize)
        for k in 0..<Self.order {
            let table = tables[k]
            // An unseen context has no seen extension either, so the longer orders add nothing.
            guard let c = table.context(NGramCounts.key(history.suffix(k))) else { break }
            let total = Double(table.total[c])
            let range = table.range(c)
            let gamma = Self.discount * Double(range.count) / total
            for i in p.indices { p[i] *= gamma }
            for j in range { p[Int(table.successors[j])] += (Double(table.counts[j]) - Self.discount) / total }
        }
        return p
    }

    func logProbabilities(context: some Collection<Int>) -> [Double] {
        probabilities(context: context).map { Foundation.log($0) }
    }

    /// The probability of one token, the same `Double` as `probabilities(context:)[token]` at a
    /// fraction of the cost.
    func probability(of token: Int, context: some Collection<Int>) -> Double {
        let history = Self.history(context)
        var p = 1 / Double(vocabularySize)
        for k in 0..<Self.order {
            let table = tables[k]
            guard let c = table.context(NGramCounts.key(history.suffix(k))) else { break }
            let total = Double(table.total[c])
            let range = table.range(c)
            p *= Self.discount * Double(range.count) / total
            let count = table.count(of: token, context: c)
            if count > 0 { p += (Double(count) - Self.discount) / total }
        }
        return p
    }

    func logProbability(of token: Int, context: some Collection<Int>) -> Double {
        Foundation.log(probability(of: token, context: context))
    }

    /// The `k` most likely tokens of a distribution, most likely first, ties by id.
    func top(_ k: Int, of probabilities: [Double]) -> [TokenAlternative] {
        guard k > 0 else { return [] }
        var best: [Int] = []
        for id in probabilities.indices where best.count < k || probabilities[id] > probabilities[best[best.count - 1]] {
            var at = best.count
            while at > 0 && probabilities[id] > probabilities[best[at - 1]] { at -= 1 }
            best.insert(id, at: at)
            if best.count > k { best.removeLast() }
        }
        return best.map { TokenAlternative(id: $0, text: tokenizer.text(of: $0), logprob: Foundation.log(probabilities[$0])) }
    }

    /// The last `order - 1` tokens of a context, padded on the left with end-of-text.
    private static func history(_ context: some Collection<Int>) -> [Int] {
        let tail = Array(context.suffix(order - 1))
        return [Int](repeating: Tokenizer.endOfText, count: order - 1 - tail.count) + tail
    }
}
