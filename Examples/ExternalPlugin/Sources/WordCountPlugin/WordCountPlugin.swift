public import OrganicPluginAPI

/// An example subnet whose miners count words, packaged outside the Organic repository.
///
/// Its settings live under `plugins.settings.word-count` in the node's configuration.
public struct WordCountPlugin: SubnetPlugin {
    public static let name = "word-count"

    public struct Configuration: Codable, Sendable, Hashable {
        /// Longest accepted text, in characters.
        public var maxTextLength: Int
        /// Largest `top` a caller may ask for.
        public var maxTop: Int
        /// Price of one call in credits.
        public var price: Double

        public init(maxTextLength: Int = 10_000, maxTop: Int = 20, price: Double = 0.01) {
            self.maxTextLength = maxTextLength
            self.maxTop = maxTop
            self.price = price
        }

        // Every field is optional, so `{}` (no section in the node's file) gives the defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Configuration()
            maxTextLength = try c.decodeIfPresent(Int.self, forKey: .maxTextLength) ?? d.maxTextLength
            maxTop = try c.decodeIfPresent(Int.self, forKey: .maxTop) ?? d.maxTop
            price = try c.decodeIfPresent(Double.self, forKey: .price) ?? d.price
        }
    }

    public let wordCount: WordCountEndpoint

    public init(configuration: Configuration) throws {
        // Bounded so that the request and response size limits derived from them cannot overflow.
        guard (1...1_000_000).contains(configuration.maxTextLength) else {
            throw WordCountConfigurationError("maxTextLength must be between 1 and 1000000")
        }
        guard (0...1000).contains(configuration.maxTop) else {
            throw WordCountConfigurationError("maxTop must be between 0 and 1000")
        }
        guard configuration.price.isFinite, configuration.price >= 0 else {
            throw WordCountConfigurationError("price must be a finite number >= 0")
        }
        wordCount = WordCountEndpoint(configuration: configuration)
    }

    public var endpoints: [any Endpoint] { [wordCount] }

    public func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] {
        [WordCountMiner(endpoint: wordCount)]
    }
}

/// A plugin setting that cannot be used.
public struct WordCountConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
