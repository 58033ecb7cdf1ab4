import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// The key checks on the request path of every `/v1` endpoint:
/// authenticate (401) → scope (403) → rate limit (429) → [body validated by the route] →
/// reserve credits (402) → [dispatch] → commit or release, and log the request.
final class AccessControl: Sendable {
    let authenticator: KeyAuthenticator
    let limiter: RateLimiter
    let store: any KeyStore
    let clock: any NodeClock
    let settlements: SettlementService
    let logger: Logger
    /// Counts credits reserved per endpoint; nil records nothing.
    let metrics: NodeMetrics?
    /// Requests dropped without being settled (a bug: each was released, never charged).
    let unsettledDrops = Atomic<Int>(0)

    init(authenticator: KeyAuthenticator, limiter: RateLimiter, store: any KeyStore, clock: any NodeClock,
         settlements: SettlementService, logger: Logger, metrics: NodeMetrics? = nil) {
        self.metrics = metrics
        self.authenticator = authenticator
        self.limiter = limiter
        self.store = store
        self.clock = clock
        self.settlements = settlements
        self.logger = logger
    }

    /// Authenticates the caller and checks scope and rate limits; the returned ticket must be
    /// settled with ``PendingRequest/finish(status:delivered:charged:units:)``.
    func admit(_ headers: HTTPFields, endpoint: String) async throws -> PendingRequest {
        let started = ContinuousClock.now
        let now = clock.now()
        let presented = KeyAuthenticator.presentedKey(authorization: headers[.authorization],
                                                      apiKeyHeader: headers[Self.apiKeyHeader])
        let record: APIKeyRecord
        do {
            record = try await authenticator.authenticate(presented, now: now)
        } catch let refusal as KeyAuthenticator.Refusal {
            throw Self.error(for: refusal)
        }
        RequestScope.current?.identify(keyID: record.id)
        guard record.allows(endpoint: endpoint) else {
            settlements.enqueue(Settlement(reservation: nil, commit: false,
                                           usage: UsageEntry(keyID: record.id, endpoint: endpoint, status: 403, credits: .zero, latencySeconds: 0, time: now)))
            throw APIError(.forbidden, code: "endpoint_not_allowed", message: "This API key may not call the endpoint '\(endpoint)'.")
        }
        let nanos = Int64((now.timeIntervalSince1970 * 1e9).rounded())
        switch await limiter.check(keyID: record.id, rules: record.rateLimits, maxConcurrent: record.maxConcurrent, endpoint: endpoint,
                                   nowNanoseconds: nanos) {
        case .allowed(let status):
            return PendingRequest(access: self, record: record, endpoint: endpoint, rateLimit: status, holdsSlot: record.maxConcurrent != nil, started: started, time: now)
        case .limited(let status, let retryAfter):
            settlements.enqueue(Settlement(reservation: nil, commit: false,
                                           usage: UsageEntry(keyID: record.id, endpoint: endpoint, status: 429, credits: .zero, latencySeconds: 0, time: now)))
            var fields = Self.headers(for: status)
            fields[.retryAfter] = String(retryAfter)
            throw APIError(.tooManyRequests, code: "rate_limited",
                           message: "Rate limit of \(status.limit) requests exceeded for this API key; retry after \(retryAfter) s.",
                           headers: fields)
        case .tooManyInFlight(let max):
            settlements.enqueue(Settlement(reservation: nil, commit: false,
                                           usage: UsageEntry(keyID: record.id, endpoint: endpoint, status: 429, credits: .zero, latencySeconds: 0, time: now)))
            var fields = HTTPFields()
            fields[.retryAfter] = "1"
            throw APIError(.tooManyRequests, code: "too_many_concurrent_requests",
                           message: "This API key already has \(max) requests in flight.", headers: fields)
        }
    }

    static let apiKeyHeader = HTTPField.Name("X-API-Key") ?? .authorization

    static func headers(for status: RateLimiter.Status?) -> HTTPFields {
        var fields = HTTPFields()
        guard let status else { return fields }
        if let limit = HTTPField.Name("X-RateLimit-Limit") { fields[limit] = String(status.limit) }
        if let remaining = HTTPField.Name("X-RateLimit-Remaining") { fields[remaining] = String(status.remaining) }
        if let reset = HTTPField.Name("X-RateLimit-Reset") { fields[reset] = String(status.resetSeconds) }
        return fields
    }

    static func error(for refusal: KeyAuthenticator.Refusal) -> APIError {
        var fields = HTTPFields()
        fields[.wwwAuthenticate] = #"Bearer realm="organic""#
        let (code, message): (String, String) = switch refusal {
        case .missing: ("missing_api_key", "Send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`.")
        case .malformed: ("malformed_api_key", "The API key is not in the expected format (org_live_…); check it was copied whole.")
        case .unknown: ("invalid_api_key", "The API key is not valid.")
        case .revoked: ("revoked_api_key", "The API key has been revoked.")
        case .disabled: ("disabled_api_key", "The API key is disabled.")
        case .expired: ("expired_api_key", "The API key has expired.")
        }
        return APIError(.unauthorized, code: code, message: message, headers: fields)
    }
}

/// One admitted request: holds its in-flight slot and (after ``reserve(_:)``) its credits until
/// it is settled, explicitly, exactly once, by ``finish(status:delivered:charged:units:)``: by the
/// request path when it fails, by the answer's writer once it knows what reached the socket, and
/// by the connection's end when the answer was handed over (``handOver(watching:)``) but its
/// writer never started. Dropping one unsettled is a bug: it is counted, logged and released.
final class PendingRequest: Sendable {
    let access: AccessControl
    let record: APIKeyRecord
    let endpoint: String
    let rateLimit: RateLimiter.Status?
    let holdsSlot: Bool
    let started: ContinuousClock.Instant
    let time: Date
    private let state = Locked<State>(State())

    private struct State {
        var reservation: CreditReservation?
        var finished = false
        /// The answer waits for its writer: the connection's end releases the request until then.
        var awaitingWriter = false
        var observation: (signal: DisconnectSignal, token: UInt64)?
    }

    init(access: AccessControl, record: APIKeyRecord, endpoint: String, rateLimit: RateLimiter.Status?,
         holdsSlot: Bool, started: ContinuousClock.Instant, time: Date) {
        self.access = access
        self.record = record
        self.endpoint = endpoint
        self.rateLimit = rateLimit
        self.holdsSlot = holdsSlot
        self.started = started
        self.time = time
    }

    /// Headers that tell the caller where it stands with its rate limit.
    var rateLimitHeaders: HTTPFields { AccessControl.headers(for: rateLimit) }

    /// Holds `price` (the most the request can cost); throws 402 when the balance cannot cover it,
    /// 503 when settlements are too far behind (``SettlementService/waitForRoom()``; the hold is
    /// then released with the request). Keys with unlimited credits hold nothing.
    func reserve(_ price: Credits) async throws {
        guard price.millis > 0, !record.unlimitedCredits else { return }
        switch try await access.store.reserve(id: record.id, amount: price, endpoint: endpoint, now: access.clock.now()) {
        case .reserved(let reservation):
            state.withLock { $0.reservation = reservation }
            access.settlements.held()
            access.metrics?.endpoint(endpoint)?.creditsReserved.increment(by: reservation.amount.millis)
        case .insufficient(let balance):
            throw APIError(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "insufficient_credits",
                           message: "This request costs \(price) credits; the key's balance is \(balance).")
        case .unknownKey:
            throw AccessControl.error(for: .unknown)
        }
        // Bounds what a crash can leave uncharged: no paid request goes on while the writer is far
        // behind. Checked after the hold, so a key that cannot pay hears 402 at once, not 503 later.
        guard await access.settlements.waitForRoom() else {
            throw APIError.unavailable("settlement_backlog", "The node is catching up on writing charges; retry shortly.", retryAfter: 1)
        }
    }

    /// The answer is handed to the server, whose writer will settle the request: should the
    /// connection `signal` watches go before the writer starts (the server then never calls it),
    /// the request is released. A connection already gone releases it at once.
    func handOver(watching signal: DisconnectSignal?) {
        guard let signal else { return }
        state.withLock { $0.awaitingWriter = true }
        guard let token = signal.observe({ [self] in releaseUnwritten() }) else {
            releaseUnwritten()
            return
        }
        let keep: Bool = state.withLock { state in
            guard state.awaitingWriter else { return false }
            state.observation = (signal, token)
            return true
        }
        if !keep { signal.stopObserving(token) }
    }

    /// The connection went before the answer's writer started.
    private func releaseUnwritten() {
        let unwritten: Bool = state.withLock { state in
            defer { state.awaitingWriter = false }
            return state.awaitingWriter
        }
        if unwritten { finish(status: 499, delivered: false) }
    }

    /// The answer's writer starts: from now on it settles the request. False when the request
    /// was settled already (its connection went first); the writer then charges nothing.
    @discardableResult
    func startWriting() -> Bool {
        let (settled, observation): (Bool, (signal: DisconnectSignal, token: UInt64)?) = state.withLock { state in
            defer {
                state.awaitingWriter = false
                state.observation = nil
            }
            return (state.finished, state.observation)
        }
        if let observation { observation.signal.stopObserving(observation.token) }
        return !settled
    }

    /// Commits the reservation when the answer was delivered (all of it, or `charged` when the
    /// price depends on what was delivered; never more than was held), releases it otherwise, and
    /// logs the request with the `units` it consumed; written by the ``SettlementService`` in its
    /// next batch. Later calls do nothing.
    func finish(status: Int, delivered: Bool, charged: Credits? = nil, units: Usage = Usage()) {
        guard let taken = takeForFinish() else { return }
        let held = taken.reservation?.amount ?? .zero
        let charge = delivered ? min(charged ?? held, held) : .zero
        let usage = UsageEntry(keyID: record.id, endpoint: endpoint, status: status, credits: charge,
                               latencySeconds: (ContinuousClock.now - started).seconds, time: access.clock.now(), units: units)
        access.settlements.enqueue(Settlement(reservation: taken.reservation, commit: delivered, charged: delivered ? charge : nil, usage: usage))
    }

    /// Whether the request has been settled.
    var isFinished: Bool { state.withLock { $0.finished } }

    struct Taken {
        var reservation: CreditReservation?
    }

    /// Marks the request finished exactly once and frees its in-flight slot.
    private func takeForFinish() -> Taken? {
        let taken: Taken? = state.withLock { state in
            if state.finished { return nil }
            state.finished = true
            return Taken(reservation: state.reservation)
        }
        if taken != nil, holdsSlot { access.limiter.finish(keyID: record.id) }
        return taken
    }

    deinit {
        // Every path settles explicitly; reaching this is a bug. Never charge: release and say so.
        guard let taken = takeForFinish() else { return }
        access.unsettledDrops.add(1, ordering: .relaxed)
        access.logger.error("a request was dropped unsettled; its credits are released",
                            metadata: ["endpoint": "\(endpoint)", "keyID": "\(record.id)"])
        let usage = UsageEntry(keyID: record.id, endpoint: endpoint, status: 499, credits: .zero,
                               latencySeconds: (ContinuousClock.now - started).seconds, time: access.clock.now())
        access.settlements.enqueue(Settlement(reservation: taken.reservation, commit: false, usage: usage))
    }
}
