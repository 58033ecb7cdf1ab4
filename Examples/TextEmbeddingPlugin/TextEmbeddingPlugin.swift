public import OrganicPluginAPI

/// A small example subnet: text embeddings.
///
/// It exists to show that the framework core knows nothing about images, and it is the worked
/// example of the plugin author's guide. Miners turn texts into vectors with a seeded
/// feature-hashing embedder; the validator assigns the seed (so answers cannot be cached) and
/// rewards miners whose vectors agree with the other miners' on the same request.
public struct TextEmbeddingPlugin: SubnetPlugin {
    public static let name = "text-embedding"

    public struct Configuration: Codable, Sendable, Hashable {
        /// Largest number of texts in one request.
        public var maxTexts: Int
        /// Largest length of one text, in characters.
        public var maxTextLength: Int
        /// Allowed vector sizes.
        public var dimensions: [Int]
        /// Price of one call in credits.
        public var price: Double

        public init(maxTexts: Int = 32, maxTextLength: Int = 2048, dimensions: [Int] = [64, 128, 256], price: Double = 0.2) {
            self.maxTexts = maxTexts
            self.maxTextLength = maxTextLength
            self.dimensions = dimensions
            self.price = price
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Configuration()
            maxTexts = try c.decodeIfPresent(Int.self, forKey: .maxTexts) ?? d.maxTexts
            maxTextLength = try c.decodeIfPresent(Int.self, forKey: .maxTextLength) ?? d.maxTextLength
            dimensions = try c.decodeIfPresent([Int].self, forKey: .dimensions) ?? d.dimensions
            price = try c.decodeIfPresent(Double.self, forKey: .price) ?? d.price
        }
    }

    public let embeddings: TextEmbeddingEndpoint

    public init(configuration: Configuration) throws {
        guard configuration.maxTexts >= 1, configuration.maxTextLength >= 1 else {
            throw TextEmbeddingConfigurationError("maxTexts and maxTextLength must be at least 1")
        }
        guard !configuration.dimensions.isEmpty, configuration.dimensions.allSatisfy({ (8...4096).contains($0) }) else {
            throw TextEmbeddingConfigurationError("dimensions must list sizes between 8 and 4096")
        }
        guard configuration.price.isFinite, configuration.price >= 0 else {
            throw TextEmbeddingConfigurationError("price must be >= 0")
        }
        embeddings = TextEmbeddingEndpoint(configuration: configuration)
    }

    public var endpoints: [any Endpoint] { [embeddings] }

    public func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] {
        [TextEmbeddingMiner(endpoint: embeddings, noiseSeed: options.hardwareNoiseSeed)]
    }
}

/// A plugin setting that cannot be used.
public struct TextEmbeddingConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
