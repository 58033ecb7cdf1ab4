import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Rate limits that hold across every instance on one PostgreSQL database: one bucket per key
/// and rule in table `rate_buckets` (the same cell rate algorithm as ``RateLimiter``, on the
/// database's clock), from which each instance leases a small batch of tokens in one atomic
/// statement, and spends it locally.
///
/// Precision, per rule, with N instances and a batch of B tokens (``batch(for:)``: one token
/// per tenth of a second of the rule's rate, 1 to 100): over any interval of length `t` all
/// instances together admit at most `limit + floor(t × limit / period) + N × (B − 1)` requests
/// (tokens leased before the interval and spent in it), and a key may be refused up to
/// N × (B − 1) requests early (leased tokens unused within ``leaseLifetime`` are dropped).
/// Rules up to 19 requests per second lease one token at a time: exact, at one query per
/// request. When the database cannot be reached, each instance limits on its own (at most
/// N × the limit) until it can again.
final class SharedRateBuckets: Sendable {
    struct Lease {
        var tokens: Int
        var expires: Int64
        var status: RateLimiter.Status?
    }

    struct LeaseKey: Hashable {
        var keyID: String
        var rule: String
    }

    let storage: PostgresStorage
    private let leases = Mutex<[LeaseKey: Lease]>([:])
    /// Limits each instance alone while the database cannot be reached.
    private let fallback = RateLimiter()

    static let leaseLifetime: Int64 = 1_000_000_000

    init(storage: PostgresStorage) {
        self.storage = storage
    }

    /// Tokens one lease asks for: a tenth of a second of the rule's rate, 1 to 100.
    static func batch(for rule: RateLimitRule) -> Int {
        max(1, min(100, Int(Double(rule.limit) / rule.periodSeconds / 10)))
    }

    /// Takes one token of every rule that applies to `endpoint`, leasing from the shared
    /// buckets the rules whose local lease is spent.
    func admit(keyID: String, rules: [RateLimitRule], endpoint: String, nowNanoseconds now: Int64) async -> RateLimiter.Decision {
        let applying = rules.filter { $0.applies(to: endpoint) }
        guard !applying.isEmpty else { return .allowed(nil) }
        for _ in 0..<3 {
            if let status = takeLocal(keyID: keyID, rules: applying, now: now) { return .allowed(status) }
            for rule in applying where !hasToken(keyID: keyID, rule: rule, now: now) {
                do {
                    let leased = try await lease(keyID: keyID, rule: rule, want: Self.batch(for: rule))
                    guard leased.tokens > 0 else { return .limited(leased.status, retryAfterSeconds: leased.retryAfter) }
                    leases.withLock { leases in
                        let key = LeaseKey(keyID: keyID, rule: rule.description)
                        let left = leases[key].flatMap { $0.expires > now ? $0.tokens : nil } ?? 0
                        leases[key] = Lease(tokens: left + leased.tokens, expires: now + Self.leaseLifetime, status: leased.status)
                    }
                } catch {
                    storage.logger.warning("shared rate limits unavailable; limiting on this instance alone", metadata: ["error": "\(error)"])
                    return fallback.admit(keyID: keyID, rules: applying, maxConcurrent: nil, endpoint: endpoint, nowNanoseconds: now)
                }
            }
        }
        // Other requests kept spending the leased tokens first: this one waits its turn.
        let rule = applying[0]
        return .limited(RateLimiter.Status(limit: rule.limit, remaining: 0, resetSeconds: 1), retryAfterSeconds: 1)
    }

    /// Forgets a key's leases (its limits changed, or it was revoked).
    func forget(keyID: String) {
        leases.withLock { leases in leases = leases.filter { $0.key.keyID != keyID } }
        fallback.forget(keyID: keyID)
    }

    private func hasToken(keyID: String, rule: RateLimitRule, now: Int64) -> Bool {
        leases.withLock { leases in
            guard let lease = leases[LeaseKey(keyID: keyID, rule: rule.description)] else { return false }
            return lease.tokens > 0 && lease.expires > now
        }
    }

    /// Spends one leased token of each rule when every rule has one; nil otherwise.
    private func takeLocal(keyID: String, rules: [RateLimitRule], now: Int64) -> RateLimiter.Status?? {
        leases.withLock { leases in
            let keys = rules.map { LeaseKey(keyID: keyID, rule: $0.description) }
            guard keys.allSatisfy({ (leases[$0]?.tokens ?? 0) > 0 && (leases[$0]?.expires ?? 0) > now }) else { return nil }
            var tightest: RateLimiter.Status?
            for key in keys {
                leases[key]?.tokens -= 1
                if let status = leases[key]?.status, status.remaining < tightest?.remaining ?? .max { tightest = status }
            }
            return .some(tightest)
        }
    }

    /// Up to `want` tokens of the shared bucket, in one statement (the row is created on first use).
    func lease(keyID: String, rule: RateLimitRule, want: Int) async throws -> (tokens: Int, status: RateLimiter.Status, retryAfter: Int) {
        let interval = RateLimiter.interval(rule)
        let tolerance = interval * Int64(rule.limit - 1)
        let name = rule.description
        for _ in 0..<2 {
            let rows = try await storage.rows("""
                WITH old AS (
                    SELECT b.key_id, b.rule, (extract(epoch from clock_timestamp()) * 1e9)::bigint AS now, b.tat_nanoseconds
                    FROM rate_buckets b WHERE b.key_id = \(keyID) AND b.rule = \(name) FOR UPDATE
                ), start AS (
                    SELECT key_id, rule, now, greatest(tat_nanoseconds, now) AS start FROM old
                )
                UPDATE rate_buckets r SET tat_nanoseconds = s.start + \(interval) * (
                    CASE WHEN s.start - s.now > \(tolerance) THEN 0
                         ELSE least(\(Int64(want)), (\(tolerance) - (s.start - s.now)) / \(interval) + 1) END)
                FROM start s WHERE r.key_id = s.key_id AND r.rule = s.rule
                RETURNING s.now, s.start, r.tat_nanoseconds
                """)
            guard let row = rows.first else {
                try await storage.client.query("""
                    INSERT INTO rate_buckets (key_id, rule, tat_nanoseconds) VALUES (\(keyID), \(name), 0) ON CONFLICT DO NOTHING
                    """, logger: storage.logger)
                continue
            }
            let (now, start, tat) = try row.decode((Int64, Int64, Int64).self)
            let tokens = Int((tat - start) / interval)
            guard tokens > 0 else {
                let status = RateLimiter.Status(limit: rule.limit, remaining: 0, resetSeconds: RateLimiter.seconds(start - now))
                return (0, status, max(1, RateLimiter.seconds(start - now - tolerance)))
            }
            let slack = tolerance - (tat - now)
            let status = RateLimiter.Status(limit: rule.limit, remaining: slack >= 0 ? Int(slack / interval) + 1 : 0,
                                            resetSeconds: RateLimiter.seconds(tat - now))
            return (tokens, status, 0)
        }
        throw ConfigurationError("rate bucket of \(keyID) could not be created")
    }
}
