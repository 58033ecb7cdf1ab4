import OrganicPluginAPI

/// What chat and text completions share: how they are served, priced, streamed and scored, and
/// the sampling settings callers may send.
extension TextGenerationConfiguration {
    /// Per-token prices, a stream of OpenAI chunks ending in `[DONE]`, verification rewards (one
    /// answer is enough), routed by model; the miner path is OpenAI's, so an inference server can
    /// be the worker behind `organic-miner --forward-to`.
    func descriptor(name: String, path: String, summary: String) -> EndpointDescriptor {
        EndpointDescriptor(
            name: name, path: path, minerPath: "/v1/" + path, summary: summary,
            timeout: .seconds(double: timeoutSeconds), price: 0,
            unitPrices: [TokenUsage.promptTokens: promptTokenPrice, TokenUsage.completionTokens: completionTokenPrice],
            scoring: .syntheticAndOrganic, rewardMode: .verification, scoringTimeout: .seconds(30),
            maxRequestBytes: 1 << 20, maxResponseBytes: 16 << 20, models: models, routesByModel: true,
            streaming: StreamingSettings(chunkTimeout: .seconds(double: chunkTimeoutSeconds), endMarker: "[DONE]"))
    }

    /// OpenAI's ranges: temperature 0…2, top_p in (0, 1], max_tokens up to the configured limit, one choice.
    func validateSampling(temperature: Double?, topP: Double?, maxTokens: Int?, n: Int?) throws(RequestValidationError) {
        if let t = temperature { try FieldCheck.finite(t, 0...2, field: "temperature") }
        if let p = topP {
            try FieldCheck.finite(p, 0...1, field: "top_p")
            guard p > 0 else { throw RequestValidationError(code: "out_of_range", field: "top_p", message: "top_p must be greater than 0.") }
        }
        if let m = maxTokens { try FieldCheck.range(m, 1...self.maxTokens, field: "max_tokens") }
        if let n { try FieldCheck.range(n, 1...1, field: "n") }
    }
}

/// The units chat and text completions are priced in.
package enum TokenUsage {
    package static let promptTokens = "prompt_tokens"
    package static let completionTokens = "completion_tokens"
}

extension Duration {
    static func seconds(double value: Double) -> Duration { .nanoseconds(Int64((max(value, 0) * 1e9).rounded())) }
}

/// A reference miner's answer handed out as a stream, chunk by chunk.
func referenceStream<Chunk: Sendable>(_ chunks: [Chunk]) -> AsyncThrowingStream<Chunk, any Error> {
    AsyncThrowingStream { continuation in
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
    }
}
