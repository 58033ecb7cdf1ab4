/// `POST /v1/text-embeddings` request.
public struct TextEmbeddingRequest: Codable, Sendable, Hashable {
    /// The texts to embed.
    public var input: [String]
    /// Length of each vector; one of the plugin's allowed sizes.
    public var dimensions: Int
    /// Assigned by the validator; a value sent by a caller is replaced.
    public var seed: UInt64?

    public init(input: [String], dimensions: Int = 64, seed: UInt64? = nil) {
        self.input = input
        self.dimensions = dimensions
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey { case input, dimensions, seed }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decode([String].self, forKey: .input)
        dimensions = try c.decodeIfPresent(Int.self, forKey: .dimensions) ?? 64
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
    }
}

/// `POST /v1/text-embeddings` response: one unit-length vector per input text.
public struct TextEmbeddingResponse: Codable, Sendable, Hashable {
    public var embeddings: [[Float]]

    public init(embeddings: [[Float]]) {
        self.embeddings = embeddings
    }
}
