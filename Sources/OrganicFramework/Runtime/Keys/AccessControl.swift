import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

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

    init(authenticator: KeyAuthenticator, limiter: RateLimiter, store: any KeyStore, clock: any NodeClock,
         settlements: SettlementService, logger: Logger) {
        self.authenticator = authenticator
        self.limiter = limiter
        self.store = store
        self.clock = clock
        self.settlements = settlements
        self.logger = logger
    }

    /// Authenticates the caller and checks scope and rate limits; the returned ticket must be
    /// settled with ``PendingRequest/finish(status:delivered:)``.
    func admit(_ headers: HTTPFields, endpoint: String, price: Double) async throws -> PendingRequest {
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
        guard record.allows(endpoint: endpoint) else {
            try? await store.log(UsageEntry(keyID: record.id, endpoint: endpoint, status: 403, credits: .zero, latencySeconds: 0, time: now))
            throw APIError(.forbidden, code: "endpoint_not_allowed", message: "This API key may not call the endpoint '\(endpoint)'.")
        }
        let nanos = Int64((now.timeIntervalSince1970 * 1e9).rounded())
        switch limiter.admit(keyID: record.id, rules: record.rateLimits, maxConcurrent: record.maxConcurrent, endpoint: endpoint,
                             nowNanoseconds: nanos) {
        case .allowed(let status):
            return PendingRequest(access: self, record: record, endpoint: endpoint, price: record.unlimitedCredits ? .zero : Credits(price) ?? .zero,
                                  rateLimit: status, holdsSlot: record.maxConcurrent != nil, started: started, time: now)
        case .limited(let status, let retryAfter):
            try? await store.log(UsageEntry(keyID: record.id, endpoint: endpoint, status: 429, credits: .zero, latencySeconds: 0, time: now))
            var fields = Self.headers(for: status)
            fields[.retryAfter] = String(retryAfter)
            throw APIError(.tooManyRequests, code: "rate_limited",
                           message: "Rate limit of \(status.limit) requests exceeded for this API key; retry after \(retryAfter) s.",
                           headers: fields)
        case .tooManyInFlight(let max):
            try? await store.log(UsageEntry(keyID: record.id, endpoint: endpoint, status: 429, credits: .zero, latencySeconds: 0, time: now))
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

/// One admitted request: holds its in-flight slot and (after ``reserve()``) its credits until
/// it is finished. If it is dropped unfinished (the response was never written), the slot is
/// freed and the credits are released by the ``SettlementService``.
final class PendingRequest: Sendable {
    let access: AccessControl
    let record: APIKeyRecord
    let endpoint: String
    let price: Credits
    let rateLimit: RateLimiter.Status?
    let holdsSlot: Bool
    let started: ContinuousClock.Instant
    let time: Date
    private let state = Locked<(reservation: CreditReservation?, finished: Bool)>((nil, false))

    init(access: AccessControl, record: APIKeyRecord, endpoint: String, price: Credits, rateLimit: RateLimiter.Status?,
         holdsSlot: Bool, started: ContinuousClock.Instant, time: Date) {
        self.access = access
        self.record = record
        self.endpoint = endpoint
        self.price = price
        self.rateLimit = rateLimit
        self.holdsSlot = holdsSlot
        self.started = started
        self.time = time
    }

    /// Headers that tell the caller where it stands with its rate limit.
    var rateLimitHeaders: HTTPFields { AccessControl.headers(for: rateLimit) }

    /// Holds the endpoint's price; throws 402 when the balance cannot cover it.
    func reserve() async throws {
        guard price.millis > 0 else { return }
        switch try await access.store.reserve(id: record.id, amount: price, endpoint: endpoint, now: access.clock.now()) {
        case .reserved(let reservation):
            state.withLock { $0.reservation = reservation }
        case .insufficient(let balance):
            throw APIError(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "insufficient_credits",
                           message: "This request costs \(price) credits; the key's balance is \(balance).")
        case .unknownKey:
            throw AccessControl.error(for: .unknown)
        }
    }

    /// Commits the reservation when the answer was delivered, releases it otherwise, and logs.
    func finish(status: Int, delivered: Bool) async {
        guard let reservation = takeForFinish() else { return }
        let charged = delivered ? (reservation.reservation?.amount ?? .zero) : .zero
        let usage = UsageEntry(keyID: record.id, endpoint: endpoint, status: status, credits: charged,
                               latencySeconds: (ContinuousClock.now - started).seconds, time: access.clock.now())
        do {
            if let held = reservation.reservation {
                try await access.store.settle(held, commit: delivered, usage: usage)
            } else {
                try await access.store.log(usage)
            }
        } catch {
            access.logger.error("cannot settle a request's credits", metadata: ["key": "\(record.id)", "error": "\(error)"])
        }
    }

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
        // Dropped without an answer being written: free the slot and give the credits back.
        guard let taken = takeForFinish() else { return }
        let usage = UsageEntry(keyID: record.id, endpoint: endpoint, status: 499, credits: .zero,
                               latencySeconds: (ContinuousClock.now - started).seconds, time: access.clock.now())
        access.settlements.enqueue(.init(reservation: taken.reservation, usage: usage))
    }
}

/// Settles requests that were abandoned without an answer (client gone before the response
/// was written), off the request path, as part of the node's service group.
final class SettlementService: Service, Sendable {
    struct Job: Sendable {
        var reservation: CreditReservation?
        var usage: UsageEntry
    }

    let store: any KeyStore
    let logger: Logger
    private let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    init(store: any KeyStore, logger: Logger) {
        self.store = store
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Job.self)
    }

    func enqueue(_ job: Job) {
        continuation.yield(job)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await job in stream {
                do {
                    if let reservation = job.reservation {
                        try await store.settle(reservation, commit: false, usage: job.usage)
                    } else {
                        try await store.log(job.usage)
                    }
                } catch {
                    logger.error("cannot release abandoned credits", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()
        }
    }
}
