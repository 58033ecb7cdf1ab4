import OrganicPluginAPI
import Foundation

/// Settings of the text-generation plugin (`plugins.settings.text-generation`).
public struct TextGenerationConfiguration: Codable, Sendable, Hashable {
    /// Model names callers may ask for, as `/v1/models` lists them; the first is the default.
    /// Subnet 19 names its chat task `chat-llama-3-2-3b`.
    public var models: [String]
    /// Largest `max_tokens` a caller may ask for.
    public var maxTokens: Int
    /// `max_tokens` when the caller sends none.
    public var defaultMaxTokens: Int
    /// Largest number of messages in one conversation.
    public var maxMessages: Int
    /// Largest length of one message, in characters.
    public var maxMessageLength: Int
    /// Credits per prompt token and per completion token.
    public var promptTokenPrice: Double
    public var completionTokenPrice: Double
    /// Seconds one miner may take for a whole answer, and may stay silent between two tokens.
    public var timeoutSeconds: Double
    public var chunkTimeoutSeconds: Double
    /// Token positions the reward recomputes per answer (besides the first).
    public var verifiedPositions: Int
    /// Largest accepted difference between a claimed and a recomputed log-probability.
    public var logprobTolerance: Double
    /// What a well-provisioned honest miner reaches; faster earns a speed bonus, slower a penalty.
    public var expectedTimeToFirstTokenSeconds: Double
    public var expectedTokensPerSecond: Double

    public init(models: [String] = ["chat-llama-3-2-3b"], maxTokens: Int = 2048, defaultMaxTokens: Int = 500, maxMessages: Int = 64,
                maxMessageLength: Int = 32_000, promptTokenPrice: Double = 0.001, completionTokenPrice: Double = 0.002,
                timeoutSeconds: Double = 60, chunkTimeoutSeconds: Double = 10, verifiedPositions: Int = 8, logprobTolerance: Double = 0.05,
                expectedTimeToFirstTokenSeconds: Double = 1, expectedTokensPerSecond: Double = 40) {
        self.models = models
        self.maxTokens = maxTokens
        self.defaultMaxTokens = defaultMaxTokens
        self.maxMessages = maxMessages
        self.maxMessageLength = maxMessageLength
        self.promptTokenPrice = promptTokenPrice
        self.completionTokenPrice = completionTokenPrice
        self.timeoutSeconds = timeoutSeconds
        self.chunkTimeoutSeconds = chunkTimeoutSeconds
        self.verifiedPositions = verifiedPositions
        self.logprobTolerance = logprobTolerance
        self.expectedTimeToFirstTokenSeconds = expectedTimeToFirstTokenSeconds
        self.expectedTokensPerSecond = expectedTokensPerSecond
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TextGenerationConfiguration()
        models = try c.decodeIfPresent([String].self, forKey: .models) ?? d.models
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? d.maxTokens
        defaultMaxTokens = try c.decodeIfPresent(Int.self, forKey: .defaultMaxTokens) ?? d.defaultMaxTokens
        maxMessages = try c.decodeIfPresent(Int.self, forKey: .maxMessages) ?? d.maxMessages
        maxMessageLength = try c.decodeIfPresent(Int.self, forKey: .maxMessageLength) ?? d.maxMessageLength
        promptTokenPrice = try c.decodeIfPresent(Double.self, forKey: .promptTokenPrice) ?? d.promptTokenPrice
        completionTokenPrice = try c.decodeIfPresent(Double.self, forKey: .completionTokenPrice) ?? d.completionTokenPrice
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? d.timeoutSeconds
        chunkTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .chunkTimeoutSeconds) ?? d.chunkTimeoutSeconds
        verifiedPositions = try c.decodeIfPresent(Int.self, forKey: .verifiedPositions) ?? d.verifiedPositions
        logprobTolerance = try c.decodeIfPresent(Double.self, forKey: .logprobTolerance) ?? d.logprobTolerance
        expectedTimeToFirstTokenSeconds = try c.decodeIfPresent(Double.self, forKey: .expectedTimeToFirstTokenSeconds)
            ?? d.expectedTimeToFirstTokenSeconds
        expectedTokensPerSecond = try c.decodeIfPresent(Double.self, forKey: .expectedTokensPerSecond) ?? d.expectedTokensPerSecond
    }

    /// Refuses settings the plugin cannot work with.
    func check() throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw TextGenerationConfigurationError(message) }
        }
        try require(!models.isEmpty && models.allSatisfy { !$0.isEmpty && !$0.contains("/") && !$0.contains("_") },
                    "models must list names without '/' or '_'")
        try require(maxTokens >= 1 && maxTokens <= 32_768, "maxTokens must be in 1...32768")
        try require((1...maxTokens).contains(defaultMaxTokens), "defaultMaxTokens must be in 1...maxTokens")
        try require(maxMessages >= 1 && maxMessageLength >= 1, "maxMessages and maxMessageLength must be at least 1")
        for price in [promptTokenPrice, completionTokenPrice] { try require(price.isFinite && price >= 0, "token prices must be >= 0") }
        try require(timeoutSeconds > 0 && timeoutSeconds <= 600, "timeoutSeconds must be in (0, 600]")
        try require(chunkTimeoutSeconds > 0 && chunkTimeoutSeconds <= timeoutSeconds, "chunkTimeoutSeconds must be in (0, timeoutSeconds]")
        try require(verifiedPositions >= 0 && verifiedPositions <= 256, "verifiedPositions must be in 0...256")
        try require(logprobTolerance.isFinite && logprobTolerance >= 0 && logprobTolerance <= 1, "logprobTolerance must be in [0, 1]")
        try require(expectedTimeToFirstTokenSeconds > 0 && expectedTokensPerSecond > 0, "expected speeds must be positive")
    }

    /// The model name a request means: Subnet 19's clients write `chat_llama_3_2_3b`.
    func model(named name: String?) -> String {
        guard let name, !name.isEmpty else { return models[0] }
        return name.replacingOccurrences(of: "_", with: "-")
    }
}

/// A plugin setting that cannot be used.
public struct TextGenerationConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
