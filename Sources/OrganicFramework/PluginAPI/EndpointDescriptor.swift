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
    /// How long one miner may take before the attempt counts as a timeout (a whole stream, for
    /// a streaming endpoint; ``StreamingSettings/chunkTimeout`` bounds the gaps).
    public var timeout: Duration
    /// Price of one successful call, in credits, before any per-unit prices. Operators may override it.
    public var price: Double
    /// Credits per unit of ``Usage`` (for example `["prompt_tokens": 0.001, "completion_tokens": 0.002]`),
    /// added to ``price``. Empty for a fixed price per call. Operators may override them.
    public var unitPrices: [String: Double]
    /// Which queries feed the endpoint's scores.
    public var scoring: ScoringPolicy
    /// How the reward judges answers: by comparing several miners' answers, or each on its own.
    public var rewardMode: RewardMode
    /// Longest time ``Endpoint/reward(_:)`` may take before its round is discarded.
    public var scoringTimeout: Duration
    /// Largest request body accepted from a caller, in bytes.
    public var maxRequestBytes: Int
    /// Largest response accepted from a miner, in bytes (the whole stream, for a streaming endpoint).
    public var maxResponseBytes: Int
    /// Names of the models or engines this endpoint offers, listed by `/v1/models`.
    public var models: [String]
    /// Whether a request's model (``Endpoint/model(of:)``) selects the miners that serve it.
    /// Miners then serve `<endpoint>/<model>` (configured, or declared with their capacity).
    public var routesByModel: Bool
    /// Set when miners stream their answers; see ``StreamingSettings``.
    public var streaming: StreamingSettings?
    /// The SDK ≤ 10 synapse carrying this endpoint, for miners reached over
    /// ``MinerProtocol/axonSynapse``; the Axon's route `/<name>` replaces ``minerPath``.
    public var synapse: SynapseDescription?

    public init(
        name: String,
        path: String? = nil,
        minerPath: String? = nil,
        summary: String,
        timeout: Duration = .seconds(10),
        price: Double = 1,
        unitPrices: [String: Double] = [:],
        scoring: ScoringPolicy = .syntheticAndOrganic,
        rewardMode: RewardMode = .consensus,
        scoringTimeout: Duration = .seconds(30),
        maxRequestBytes: Int = 1 << 20,
        maxResponseBytes: Int = 8 << 20,
        models: [String] = [],
        routesByModel: Bool = false,
        streaming: StreamingSettings? = nil,
        synapse: SynapseDescription? = nil
    ) {
        self.name = name
        self.path = path ?? name
        self.minerPath = minerPath ?? "/" + (path ?? name)
        self.summary = summary
        self.timeout = timeout
        self.price = price
        self.unitPrices = unitPrices
        self.scoring = scoring
        self.rewardMode = rewardMode
        self.scoringTimeout = scoringTimeout
        self.maxRequestBytes = maxRequestBytes
        self.maxResponseBytes = maxResponseBytes
        self.models = models
        self.routesByModel = routesByModel
        self.streaming = streaming
        self.synapse = synapse
    }

    /// The scheduling key of a request for `model`: the endpoint name, or `<name>/<model>` when
    /// the endpoint routes by model.
    public func task(model: String?) -> String {
        guard routesByModel, let model, !model.isEmpty else { return name }
        return name + "/" + model
    }
}

/// Which queries feed an endpoint's scores.
public enum ScoringPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only the validator's own synthetic queries are scored.
    case syntheticOnly = "synthetic-only"
    /// Synthetic queries and a sample of organic ones are scored.
    case syntheticAndOrganic = "synthetic-and-organic"
    /// Only a sample of organic queries is scored; the endpoint needs no synthetic generator.
    case organicOnly = "organic-only"

    /// Whether the synthetic generator runs for this endpoint.
    public var scoresSynthetic: Bool { self != .organicOnly }
    /// Whether organic queries may be scored.
    public var scoresOrganic: Bool { self != .syntheticOnly }
}

/// What a reward function needs to judge answers.
public enum RewardMode: String, Sendable, Hashable, Codable {
    /// Answers are compared with each other (``ConsensusReward``): a scored query goes to N ≥ 2
    /// miners, and an organic query is scored only when N miners took it.
    case consensus
    /// Each answer is checked on its own (for example by recomputing log-probabilities): one
    /// answer is enough, so a sampled organic query is scored without asking a second miner.
    case verification
}
