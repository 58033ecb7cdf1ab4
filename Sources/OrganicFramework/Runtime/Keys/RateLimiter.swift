import Synchronization

/// In-memory rate limits and in-flight counts of every key, per node.
///
/// Each rule is a token bucket of capacity `limit` refilled continuously at `limit/period`,
/// implemented as the generic cell rate algorithm (one theoretical arrival time per bucket,
/// integer nanoseconds). Precision: over any interval of length `t`, a key is admitted at most
/// `limit + floor(t * limit / period)` requests by one rule, exactly (no rounding beyond 1 ns per
/// emission interval). A request is admitted only when every rule that applies admits it, and
/// then it takes a token from each, atomically. State is per node and starts full on restart.
package final class RateLimiter: Sendable {
    struct Bucket {
        var rule: RateLimitRule
        /// Theoretical arrival time, in nanoseconds.
        var tat: Int64 = 0
    }

    struct KeyState {
        var buckets: [Bucket]
        var inFlight = 0
    }

    /// What the most restrictive applying rule says, for the `X-RateLimit-*` headers.
    package struct Status: Sendable, Equatable {
        package var limit: Int
        package var remaining: Int
        /// Seconds until that bucket is full again (rounded up).
        package var resetSeconds: Int
    }

    package enum Decision: Sendable, Equatable {
        case allowed(Status?)
        /// Refused by a rule; retry after this many seconds (rounded up, at least 1).
        case limited(Status, retryAfterSeconds: Int)
        /// Refused because the key already has its maximum of requests in flight.
        case tooManyInFlight(max: Int)
    }

    private let states = Mutex<[String: KeyState]>([:])
    /// With several instances on PostgreSQL: the buckets every instance shares (the rules);
    /// in-flight counts stay per instance.
    let shared: SharedRateBuckets?

    package init() {
        shared = nil
    }

    init(shared: SharedRateBuckets?) {
        self.shared = shared
    }

    /// ``admit(keyID:rules:maxConcurrent:endpoint:nowNanoseconds:)``, against the shared buckets
    /// when there are some.
    func check(keyID: String, rules: [RateLimitRule], maxConcurrent: Int?, endpoint: String, nowNanoseconds now: Int64) async -> Decision {
        guard let shared else { return admit(keyID: keyID, rules: rules, maxConcurrent: maxConcurrent, endpoint: endpoint, nowNanoseconds: now) }
        if case .tooManyInFlight(let max) = admit(keyID: keyID, rules: [], maxConcurrent: maxConcurrent, endpoint: endpoint, nowNanoseconds: now) {
            return .tooManyInFlight(max: max)
        }
        let decision = await shared.admit(keyID: keyID, rules: rules, endpoint: endpoint, nowNanoseconds: now)
        if case .limited = decision, maxConcurrent != nil { finish(keyID: keyID) }
        return decision
    }

    /// Checks and, when admitted, consumes one token from each applying rule and takes one
    /// in-flight slot when `maxConcurrent` is set (give it back with ``finish(keyID:)``).
    package func admit(keyID: String, rules: [RateLimitRule], maxConcurrent: Int?, endpoint: String, nowNanoseconds now: Int64) -> Decision {
        states.withLock { states in
            var state = states[keyID] ?? KeyState(buckets: [])
            if state.buckets.count != rules.count || !zip(state.buckets, rules).allSatisfy({ $0.rule == $1 }) {
                state.buckets = rules.map { Bucket(rule: $0) }
            }
            if let maxConcurrent, state.inFlight >= maxConcurrent {
                return .tooManyInFlight(max: maxConcurrent)
            }
            var tightest: Status?
            for bucket in state.buckets where bucket.rule.applies(to: endpoint) {
                let interval = Self.interval(bucket.rule)
                let tolerance = interval * Int64(bucket.rule.limit - 1)
                let start = max(bucket.tat, now)
                if start - now > tolerance {
                    let wait = start - now - tolerance
                    let status = Status(limit: bucket.rule.limit, remaining: 0, resetSeconds: Self.seconds(start - now))
                    states[keyID] = state
                    return .limited(status, retryAfterSeconds: max(1, Self.seconds(wait)))
                }
                let after = start + interval
                let slack = tolerance - (after - now)
                let remaining = slack >= 0 ? Int(slack / interval) + 1 : 0
                let status = Status(limit: bucket.rule.limit, remaining: remaining, resetSeconds: Self.seconds(after - now))
                if tightest == nil || status.remaining < tightest?.remaining ?? .max { tightest = status }
            }
            for index in state.buckets.indices where state.buckets[index].rule.applies(to: endpoint) {
                state.buckets[index].tat = max(state.buckets[index].tat, now) + Self.interval(state.buckets[index].rule)
            }
            if maxConcurrent != nil { state.inFlight += 1 }
            states[keyID] = state
            return .allowed(tightest)
        }
    }

    /// Gives back the in-flight slot taken by ``admit(keyID:rules:maxConcurrent:endpoint:nowNanoseconds:)``.
    package func finish(keyID: String) {
        states.withLock { states in
            if let current = states[keyID]?.inFlight, current > 0 { states[keyID]?.inFlight = current - 1 }
        }
    }

    /// Forgets a key's buckets (after revocation or a change of its limits).
    package func forget(keyID: String) {
        shared?.forget(keyID: keyID)
        states.withLock { states in
            guard var state = states[keyID] else { return }
            state.buckets = []
            states[keyID] = state
        }
    }

    static func interval(_ rule: RateLimitRule) -> Int64 {
        max(1, Int64((rule.periodSeconds * 1e9 / Double(rule.limit)).rounded()))
    }

    static func seconds(_ nanoseconds: Int64) -> Int {
        Int((nanoseconds + 999_999_999) / 1_000_000_000)
    }
}
