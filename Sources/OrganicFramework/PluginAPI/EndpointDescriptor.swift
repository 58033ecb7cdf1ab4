/// Static facts about an endpoint: how it is addressed, what it costs and how it is scored.
public struct EndpointDescriptor: Sendable, Hashable, Codable {
    /// A stable identifier, unique within the node, such as `text-to-image`.
    public var name: String
    /// The public path below `/v1/`, such as `text-to-image` for `POST /v1/text-to-image`.
    public var path: String
    /// The path on the miner's HTTP server that serves this endpoint, such as `/text-to-image`.
    public var minerPath: String
    /// One sentence for `/v1/models` and the API reference.
    public var summary: String
    /// How long one miner may take before the attempt counts as a timeout.
    public var timeout: Duration
    /// Default price of one successful call, in credits. Operators may override it.
    public var price: Double
    /// Whether organic queries are scored as well as synthetic ones.
    public var scoring: ScoringPolicy
    /// Largest request body accepted from a caller, in bytes.
    public var maxRequestBytes: Int
    /// Largest response body accepted from a miner, in bytes.
    public var maxResponseBytes: Int
    /// Names of the models or engines this endpoint offers, listed by `/v1/models`.
    public var models: [String]

    public init(
        name: String,
        path: String? = nil,
        minerPath: String? = nil,
        summary: String,
        timeout: Duration = .seconds(10),
        price: Double = 1,
        scoring: ScoringPolicy = .syntheticAndOrganic,
        maxRequestBytes: Int = 1 << 20,
        maxResponseBytes: Int = 8 << 20,
        models: [String] = []
    ) {
        self.name = name
        self.path = path ?? name
        self.minerPath = minerPath ?? "/" + (path ?? name)
        self.summary = summary
        self.timeout = timeout
        self.price = price
        self.scoring = scoring
        self.maxRequestBytes = maxRequestBytes
        self.maxResponseBytes = maxResponseBytes
        self.models = models
    }
}

/// Which queries feed an endpoint's scores.
public enum ScoringPolicy: String, Sendable, Hashable, Codable {
    /// Only the validator's own synthetic queries are scored.
    case syntheticOnly = "synthetic-only"
    /// Synthetic queries and a sample of organic ones are scored.
    case syntheticAndOrganic = "synthetic-and-organic"
}
