public import OrganicPluginAPI

/// The reference miner for ``TextEmbeddingEndpoint``.
public struct TextEmbeddingMiner: MinerHandler {
    public let endpoint: TextEmbeddingEndpoint
    /// When set, adds float noise of about 1e-6 per component, like a different GPU.
    public let noiseSeed: UInt64?

    public init(endpoint: TextEmbeddingEndpoint, noiseSeed: UInt64? = nil) {
        self.endpoint = endpoint
        self.noiseSeed = noiseSeed
    }

    public func respond(to request: TextEmbeddingRequest, context: MinerContext) async throws -> TextEmbeddingResponse {
        var seed = request.seed ?? 0
        if context.answerWrongly { seed = seed &+ 0x5EED }
        var noise = noiseSeed.map { OrganicRandom(seed: $0 ^ seed) }
        let vectors = request.input.map { text in
            var v = FeatureHashingEmbedder.embed(text, dimensions: request.dimensions, seed: seed)
            if var generator = noise {
                for i in v.indices { v[i] += Float.random(in: -1e-6...1e-6, using: &generator) }
                noise = generator
            }
            return v
        }
        return TextEmbeddingResponse(embeddings: vectors)
    }
}
