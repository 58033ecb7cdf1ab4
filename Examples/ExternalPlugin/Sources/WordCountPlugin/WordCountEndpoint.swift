public import OrganicPluginAPI

/// `POST /v1/word-count`: a text in, its word count and most frequent words out.
///
/// There is no perturbation: the answer is a pure function of the text, so a cached or relayed
/// answer is still the right one and a seed would change nothing a miner computes. Endpoints
/// whose answers depend on a seed assign it in `perturb` (see the text-embedding example).
public struct WordCountEndpoint: Endpoint {
    public typealias Request = WordCountRequest
    public typealias Response = WordCountResponse

    let configuration: WordCountPlugin.Configuration

    public var descriptor: EndpointDescriptor {
        EndpointDescriptor(
            name: "word-count", summary: "Counts the words of a text and lists the most frequent ones.",
            timeout: .seconds(2), price: configuration.price, scoring: .syntheticAndOrganic,
            // Up to 6 bytes per character (JSON escapes) plus the envelope; the top words are
            // distinct words of the text, so together they are no longer than the text.
            maxRequestBytes: configuration.maxTextLength * 6 + 1024,
            maxResponseBytes: configuration.maxTextLength * 6 + configuration.maxTop * 64 + 1024)
    }

    public func validate(_ request: WordCountRequest) throws(RequestValidationError) {
        try FieldCheck.text(request.text, maxLength: configuration.maxTextLength, field: "text")
        try FieldCheck.range(request.top, 0...configuration.maxTop, field: "top")
    }

    /// Refuses answers that cannot be right for any text, so they score 0 and never reach a caller.
    public func validate(response: WordCountResponse, for request: WordCountRequest) throws(ResponseValidationError) {
        guard response.words >= 0, (0...response.words).contains(response.uniqueWords),
              (response.words == 0) == (response.uniqueWords == 0)
        else { throw ResponseValidationError("inconsistent totals: \(response.words) words, \(response.uniqueWords) distinct") }
        guard response.top.count == min(request.top, response.uniqueWords) else {
            throw ResponseValidationError("expected \(min(request.top, response.uniqueWords)) top words, got \(response.top.count)")
        }
        guard response.top.allSatisfy({ $0.count >= 1 && !$0.word.isEmpty }),
              response.top.reduce(0, { $0 + $1.count }) <= response.words
        else { throw ResponseValidationError("top words have impossible counts") }
        // Strictly ordered means sorted and without duplicates.
        for (a, b) in zip(response.top, response.top.dropFirst()) where !(a.count > b.count || (a.count == b.count && a.word < b.word)) {
            throw ResponseValidationError("top words are not ordered by count, then alphabetically")
        }
    }

    public func makeSyntheticRequest(context: inout SyntheticContext) -> WordCountRequest? {
        let text = SyntheticTexts.text(using: &context.random, maxLength: configuration.maxTextLength)
        return WordCountRequest(text: text, top: Int.random(in: 0...min(10, configuration.maxTop), using: &context.random))
    }

    /// The task has one right answer, so only exact agreement earns credit: approximate counting
    /// must not pay. Over many rounds honest miners, who agree with each other, rise above the rest.
    public func reward(_ round: ScoringRound<WordCountRequest, WordCountResponse>) -> RewardVerdict {
        ConsensusReward.rewards(for: round.answers) { a, b in a == b ? 1 : 0 }
    }
}
