public import Foundation

/// Everything the node knows about one API key, except its secret (never stored).
public struct APIKeyRecord: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case active, disabled, revoked
    }

    public var id: String
    public var name: String
    public var owner: String
    /// Non-secret start of the key, for people to recognise it (`org_live_7Hq2…`).
    public var displayPrefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var expiresAt: Date?
    public var state: State
    /// Endpoint names the key may call; empty means all.
    public var scopes: [String]
    public var rateLimits: [RateLimitRule]
    /// Concurrent in-flight requests allowed; nil means no limit.
    public var maxConcurrent: Int?
    /// True when the key is never charged (usage is still logged).
    public var unlimitedCredits: Bool
    /// Optional automatic top-up to a level each day or month.
    public var refill: CreditRefill?
    public var metadata: [String: String]

    package init(id: String, name: String, owner: String = "", displayPrefix: String, createdAt: Date, lastUsedAt: Date? = nil,
                expiresAt: Date? = nil, state: State = .active, scopes: [String] = [], rateLimits: [RateLimitRule] = [],
                maxConcurrent: Int? = nil, unlimitedCredits: Bool = false, refill: CreditRefill? = nil, metadata: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.owner = owner
        self.displayPrefix = displayPrefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.state = state
        self.scopes = scopes
        self.rateLimits = rateLimits
        self.maxConcurrent = maxConcurrent
        self.unlimitedCredits = unlimitedCredits
        self.refill = refill
        self.metadata = metadata
    }

    /// Whether the key may call `endpoint`.
    package func allows(endpoint: String) -> Bool {
        scopes.isEmpty || scopes.contains(endpoint)
    }
}

/// Automatic refill: at the start of each period (UTC) the balance is topped up to `amount`.
public struct CreditRefill: Codable, Sendable, Equatable {
    public enum Period: String, Codable, Sendable {
        case day, month
    }
    public var amount: Credits
    public var period: Period

    public init(amount: Credits, period: Period) {
        self.amount = amount
        self.period = period
    }
}

/// An amount of credits, held exactly as thousandths (so that a price of 0.2 adds up).
public struct Credits: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Thousandths of a credit.
    public var millis: Int64

    public init(millis: Int64) { self.millis = millis }

    /// Rounds `credits` to the nearest thousandth; nil when not finite or out of range.
    public init?(_ credits: Double) {
        guard credits.isFinite, abs(credits) < 9e12 else { return nil }
        millis = Int64((credits * 1000).rounded())
    }

    public var value: Double { Double(millis) / 1000 }
    public static let zero = Credits(millis: 0)
    public static func < (lhs: Credits, rhs: Credits) -> Bool { lhs.millis < rhs.millis }

    public var description: String {
        let whole = millis / 1000, fraction = abs(millis % 1000)
        let sign = millis < 0 && whole == 0 ? "-" : ""
        if fraction == 0 { return "\(sign)\(whole)" }
        var digits = String(fraction)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(sign)\(whole).\(digits)"
    }

    // Encoded as a plain JSON number of credits.
    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(Double.self)
        guard let credits = Credits(value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a finite number of credits"))
        }
        self = credits
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
