import Foundation

/// The operator's operations on keys, shared by the admin API and the CLI's offline mode.
///
/// Every change invalidates the node's cache of that key at once (when running in a node).
public struct KeyManager: Sendable {
    package let store: any KeyStore
    let authenticator: KeyAuthenticator?
    let limiter: RateLimiter?
    let clock: any NodeClock
    /// Endpoint names scopes may name; nil accepts any (offline CLI, which has no plugins).
    let knownEndpoints: Set<String>?
    /// Tiers a key may be given (``KeyTier/accepted(in:)``); nil accepts any well-formed name.
    let tiers: Set<KeyTier>?

    package init(store: any KeyStore, clock: any NodeClock = SystemNodeClock(), knownEndpoints: Set<String>? = nil, tiers: Set<KeyTier>? = nil) {
        self.init(store: store, authenticator: nil, limiter: nil, clock: clock, knownEndpoints: knownEndpoints, tiers: tiers)
    }

    init(store: any KeyStore, authenticator: KeyAuthenticator?, limiter: RateLimiter?, clock: any NodeClock, knownEndpoints: Set<String>?,
         tiers: Set<KeyTier>?) {
        self.store = store
        self.authenticator = authenticator
        self.limiter = limiter
        self.clock = clock
        self.knownEndpoints = knownEndpoints
        self.tiers = tiers
    }

    public func create(_ request: KeyCreation) async throws -> CreatedKey {
        let now = clock.now()
        try validate(name: request.name)
        let owner = try validated(owner: request.owner ?? "")
        let limits = try parse(rateLimits: request.rateLimits ?? [])
        let scopes = try validated(scopes: request.scopes ?? [])
        guard request.maxConcurrent.map({ (1...100_000).contains($0) }) ?? true else {
            throw APIError(.badRequest, code: "invalid_value", message: "maxConcurrent must be 1...100000.", field: "maxConcurrent")
        }
        let credits = try validated(credits: request.credits ?? 0, field: "credits")
        let refill = try request.refill.map { refill in
            CreditRefill(amount: try validated(credits: refill.amount.value, field: "refill.amount"), period: refill.period)
        }
        var expiry: Date?
        if let seconds = request.expiresInSeconds {
            guard seconds.isFinite, seconds > 0, seconds <= 100 * 365 * 86_400 else {
                throw APIError(.badRequest, code: "invalid_value", message: "expiresInSeconds must be positive.", field: "expiresInSeconds")
            }
            expiry = now.addingTimeInterval(seconds)
        }
        var metadata = request.metadata ?? [:]
        guard metadata.count <= 64, metadata.allSatisfy({ $0.key.count <= 128 && $0.value.count <= 4096 }) else {
            throw APIError(.badRequest, code: "invalid_value", message: "metadata is limited to 64 entries of short strings.", field: "metadata")
        }
        metadata[KeyTier.metadataKey] = try validatedTier(request.tier, metadata: metadata)?.rawValue
        let secret = APIKeyFormat.generate()
        let record = APIKeyRecord(id: Self.newID(), name: request.name, owner: owner, displayPrefix: APIKeyFormat.displayPrefix(of: secret),
                                  createdAt: now, expiresAt: expiry, scopes: scopes, rateLimits: limits, maxConcurrent: request.maxConcurrent,
                                  unlimitedCredits: request.unlimited ?? false, refill: refill, metadata: metadata)
        try await store.insert(record, digest: APIKeyFormat.hash(of: secret), initialCredits: credits, now: now)
        return CreatedKey(key: secret, record: record, balance: credits)
    }

    public func list() async throws -> KeyListing {
        var keys: [KeyDetails] = []
        for record in try await store.keys() {
            keys.append(KeyDetails(record: record, balance: try await store.balance(id: record.id), held: try await store.heldInMemory(id: record.id),
                                   ledger: nil))
        }
        return KeyListing(keys: keys)
    }

    public func show(id: String, ledgerLimit: Int = 50) async throws -> KeyDetails {
        let record = try await existing(id)
        let statement = try await store.statement(id: id, limit: ledgerLimit)
        return KeyDetails(record: record, balance: statement.balance, held: try await store.heldInMemory(id: id), ledger: statement.ledger)
    }

    public func revoke(id: String) async throws -> KeyDetails {
        var record = try await existing(id)
        record.state = .revoked
        try await store.update(record)
        invalidate(id)
        return try await show(id: id, ledgerLimit: 0)
    }

    public func update(id: String, _ changes: KeyChanges) async throws -> KeyDetails {
        var record = try await existing(id)
        guard record.state != .revoked else {
            throw APIError(.conflict, code: "key_revoked", message: "A revoked key cannot be changed.")
        }
        if let name = changes.name { try validate(name: name); record.name = name }
        if let owner = changes.owner { record.owner = try validated(owner: owner) }
        if let scopes = changes.scopes { record.scopes = try validated(scopes: scopes) }
        if let limits = changes.rateLimits { record.rateLimits = try parse(rateLimits: limits) }
        if let enabled = changes.enabled { record.state = enabled ? .active : .disabled }
        if let max = changes.maxConcurrent { record.maxConcurrent = max > 0 ? max : nil }
        if let unlimited = changes.unlimited { record.unlimitedCredits = unlimited }
        if let tier = changes.tier { record.tier = try validated(tier: tier) }
        if let seconds = changes.expiresInSeconds {
            guard seconds.isFinite, seconds >= 0, seconds <= 100 * 365 * 86_400 else {
                throw APIError(.badRequest, code: "invalid_value", message: "expiresInSeconds must be 0 (never) or positive.", field: "expiresInSeconds")
            }
            record.expiresAt = seconds > 0 ? clock.now().addingTimeInterval(seconds) : nil
        }
        if let refill = changes.refill {
            let amount = try validated(credits: refill.amount.value, field: "refill.amount")
            record.refill = amount.millis > 0 ? CreditRefill(amount: amount, period: refill.period) : nil
        }
        try await store.update(record)
        invalidate(id)
        return try await show(id: id, ledgerLimit: 0)
    }

    /// A new secret for the same key: settings and balance stay, the old secret stops working at once.
    public func rotate(id: String) async throws -> CreatedKey {
        let record = try await existing(id)
        guard record.state != .revoked else {
            throw APIError(.conflict, code: "key_revoked", message: "A revoked key cannot be rotated.")
        }
        let secret = APIKeyFormat.generate()
        let prefix = APIKeyFormat.displayPrefix(of: secret)
        try await store.replaceSecret(id: id, digest: APIKeyFormat.hash(of: secret), displayPrefix: prefix)
        invalidate(id)
        var updated = record
        updated.displayPrefix = prefix
        return CreatedKey(key: secret, record: updated, balance: try await store.balance(id: id))
    }

    /// Adds (or with a negative amount, removes) credits as a ledger entry; `note` says why and
    /// `actor` who (``LedgerActor``).
    public func credit(id: String, amount: Double, note: String?, refund: Bool = false, actor: String? = nil) async throws -> CreditResult {
        _ = try await existing(id)
        guard let credits = Credits(amount), credits.millis != 0 else {
            throw APIError(.badRequest, code: "invalid_value", message: "amount must be a non-zero number of credits.", field: "amount")
        }
        guard !refund || credits.millis > 0 else {
            throw APIError(.badRequest, code: "invalid_value", message: "a refund must be positive.", field: "amount")
        }
        guard (note?.count ?? 0) <= 1000 else {
            throw APIError(.badRequest, code: "invalid_value", message: "note is limited to 1000 characters.", field: "note")
        }
        let kind: LedgerEntry.Kind = refund ? .refund : credits.millis > 0 ? .grant : .adjustment
        do {
            let entry = try await store.addCredits(id: id, amount: credits, kind: kind, note: note, actor: actor, now: clock.now())
            return CreditResult(entry: entry, balance: try await store.balance(id: id))
        } catch KeyStoreError.insufficientCredits(let balance) {
            throw APIError(.conflict, code: "balance_would_be_negative", message: "The balance is \(balance); it cannot go below zero.", field: "amount")
        }
    }

    /// The latest payments from providers, newest first.
    public func payments(limit: Int = 100) async throws -> PaymentListing {
        guard (1...10_000).contains(limit) else {
            throw APIError(.badRequest, code: "invalid_query", message: "limit must be between 1 and 10000.", field: "limit")
        }
        return PaymentListing(payments: try await store.payments(limit: limit))
    }

    public func usage(id: String, days: Int) async throws -> UsageReport {
        _ = try await existing(id)
        guard (1...3660).contains(days) else {
            throw APIError(.badRequest, code: "invalid_value", message: "days must be 1...3660.", field: "days")
        }
        let since = SQLiteKeyStore.start(of: .day, containing: clock.now()).addingTimeInterval(-Double(days - 1) * 86_400)
        return UsageReport(keyID: id, days: try await store.usage(id: id, since: since))
    }

    // MARK: - Helpers

    func existing(_ id: String) async throws -> APIKeyRecord {
        guard id.count <= 64, let record = try await store.key(id: id) else {
            throw APIError(.notFound, code: "key_not_found", message: "No key has the id '\(id.prefix(64))'.")
        }
        return record
    }

    func invalidate(_ id: String) {
        authenticator?.invalidate(keyID: id)
        limiter?.forget(keyID: id)
    }

    func validate(name: String) throws {
        guard !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, name.count <= 200 else {
            throw APIError(.badRequest, code: "invalid_value", message: "name must be 1...200 characters.", field: "name")
        }
    }

    func validated(owner: String) throws -> String {
        guard owner.count <= 200 else {
            throw APIError(.badRequest, code: "invalid_value", message: "owner is limited to 200 characters.", field: "owner")
        }
        return owner
    }

    func validated(credits: Double, field: String) throws -> Credits {
        guard let value = Credits(credits), value.millis >= 0 else {
            throw APIError(.badRequest, code: "invalid_value", message: "\(field) must be a non-negative number.", field: field)
        }
        return value
    }

    func validated(scopes: [String]) throws -> [String] {
        for scope in scopes {
            if let known = knownEndpoints, !known.contains(scope) {
                throw APIError(.badRequest, code: "unknown_endpoint",
                               message: "scope '\(scope.prefix(64))' is not an endpoint of this node (known: \(known.sorted().joined(separator: ", "))).",
                               field: "scopes")
            }
            guard !scope.isEmpty, scope.count <= 128 else {
                throw APIError(.badRequest, code: "invalid_value", message: "scopes must be endpoint names.", field: "scopes")
            }
        }
        return Array(Set(scopes)).sorted()
    }

    func parse(rateLimits: [String]) throws -> [RateLimitRule] {
        guard rateLimits.count <= 16 else {
            throw APIError(.badRequest, code: "invalid_value", message: "at most 16 rate limits per key.", field: "rateLimits")
        }
        return try rateLimits.map { text in
            guard let rule = RateLimitRule(parsing: text) else {
                throw APIError(.badRequest, code: "invalid_rate_limit",
                               message: "'\(text.prefix(64))' is not a rate limit; write it like 10/s, 60/min, 1000/day or text-embeddings:5/s.",
                               field: "rateLimits")
            }
            if let endpoint = rule.endpoint, let known = knownEndpoints, !known.contains(endpoint) {
                throw APIError(.badRequest, code: "unknown_endpoint", message: "rate limit names an unknown endpoint '\(endpoint)'.", field: "rateLimits")
            }
            return rule
        }
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<12).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "key_" + APIKeyFormat.base58(bytes, width: 17)
    }
}

/// `POST /admin/keys`: what a new key should be. Only `name` is required.
public struct KeyCreation: Codable, Sendable {
    public var name: String
    public var owner: String?
    /// Initial credits (a `grant` ledger entry).
    public var credits: Double?
    public var unlimited: Bool?
    /// Such as `["10/s", "1000/day", "text-to-image:1/s"]`.
    public var rateLimits: [String]?
    /// Endpoint names; absent or empty means all.
    public var scopes: [String]?
    public var expiresInSeconds: Double?
    public var maxConcurrent: Int?
    public var refill: CreditRefill?
    /// One of `dispatch.queues.tierWeights` or `standard` (the default); stored as metadata `tier`.
    public var tier: KeyTier?
    public var metadata: [String: String]?

    public init(name: String, owner: String? = nil, credits: Double? = nil, unlimited: Bool? = nil, rateLimits: [String]? = nil,
                scopes: [String]? = nil, expiresInSeconds: Double? = nil, maxConcurrent: Int? = nil, refill: CreditRefill? = nil,
                tier: KeyTier? = nil, metadata: [String: String]? = nil) {
        self.tier = tier
        self.name = name
        self.owner = owner
        self.credits = credits
        self.unlimited = unlimited
        self.rateLimits = rateLimits
        self.scopes = scopes
        self.expiresInSeconds = expiresInSeconds
        self.maxConcurrent = maxConcurrent
        self.refill = refill
        self.metadata = metadata
    }

}

/// `PATCH /admin/keys/{id}`: fields to change; absent ones stay.
public struct KeyChanges: Codable, Sendable {
    public var name: String?
    public var owner: String?
    public var scopes: [String]?
    public var rateLimits: [String]?
    public var enabled: Bool?
    /// 0 removes the limit.
    public var maxConcurrent: Int?
    /// Never charged (usage is still logged).
    public var unlimited: Bool?
    /// The key expires this many seconds from now; 0 removes the expiry.
    public var expiresInSeconds: Double?
    /// The automatic refill; an amount of 0 removes it.
    public var refill: CreditRefill?
    /// One of `dispatch.queues.tierWeights` or `standard`.
    public var tier: KeyTier?

    public init(name: String? = nil, owner: String? = nil, scopes: [String]? = nil, rateLimits: [String]? = nil, enabled: Bool? = nil,
                maxConcurrent: Int? = nil, unlimited: Bool? = nil, expiresInSeconds: Double? = nil, refill: CreditRefill? = nil,
                tier: KeyTier? = nil) {
        self.tier = tier
        self.name = name
        self.owner = owner
        self.scopes = scopes
        self.rateLimits = rateLimits
        self.enabled = enabled
        self.maxConcurrent = maxConcurrent
        self.unlimited = unlimited
        self.expiresInSeconds = expiresInSeconds
        self.refill = refill
    }

}

/// A key as created or rotated: the only time its secret is returned.
public struct CreatedKey: Codable, Sendable {
    /// The full key. Shown once; only its hash is stored.
    public var key: String
    public var record: APIKeyRecord
    public var balance: Credits
}

public struct KeyDetails: Codable, Sendable {
    public var record: APIKeyRecord
    /// The sum of the key's ledger lines.
    public var balance: Credits
    /// Credits held by the key's requests in flight that `balance` still counts (one node on
    /// SQLite keeps holds in memory and writes one `charge` line per charged request): the key
    /// can spend `balance − held`. Absent where holds are ledger lines (several nodes on
    /// PostgreSQL), whose `balance` is already what the key can spend.
    public var held: Credits?
    /// Most recent ledger entries first.
    public var ledger: [LedgerEntry]?
}

public struct KeyListing: Codable, Sendable {
    public var keys: [KeyDetails]
}

public struct CreditResult: Codable, Sendable {
    public var entry: LedgerEntry
    public var balance: Credits
}

public struct PaymentListing: Codable, Sendable {
    /// Newest first.
    public var payments: [PaymentRecord]
}

public struct UsageReport: Codable, Sendable {
    public var keyID: String
    public var days: [UsageSummary]
}
