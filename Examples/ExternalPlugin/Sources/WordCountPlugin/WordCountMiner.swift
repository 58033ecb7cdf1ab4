public import OrganicPluginAPI

/// The reference miner for ``WordCountEndpoint``.
///
/// Counts are exact integers, so there is no hardware noise to imitate: every honest miner
/// gives the same answer.
public struct WordCountMiner: MinerHandler {
    public let endpoint: WordCountEndpoint

    public init(endpoint: WordCountEndpoint) {
        self.endpoint = endpoint
    }

    public func respond(to request: WordCountRequest, context: MinerContext) async throws -> WordCountResponse {
        // A faulty miner counts one word too many: still a valid answer, but a wrong one.
        WordCounter.count(context.answerWrongly ? request.text + " extra" : request.text, top: request.top)
    }
}
