import Foundation
import HTTPTypes
import Logging
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// The settlement lag is bounded: once the charges of `maxUnsettled` delivered requests wait to
/// be written, a new paid request waits for the writer and is refused with 503 when it does not
/// catch up.
@Suite("Settlement backlog")
struct SettlementBacklogTests {
    let keys: KeyManager
    var store: any KeyStore { keys.store }
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws {
        keys = try KeyStoreTests.manager(path: KeyStoreTests.temporaryPath())
    }

    func access(_ settlements: SettlementService) -> AccessControl {
        AccessControl(authenticator: KeyAuthenticator(store: store), limiter: RateLimiter(), store: store,
                      clock: SystemNodeClock(), settlements: settlements, logger: logger)
    }

    /// A key with 10 credits whose backlog already holds `maxUnsettled` delivered one-credit
    /// requests; the settlement service is not running, so only `flush()` writes.
    func fullBacklog(maxUnsettled: Int, maxWait: Duration, name: String) async throws
        -> (settlements: SettlementService, access: AccessControl, headers: HTTPFields, keyID: String) {
        let settlements = SettlementService(store: store, logger: logger, metrics: nil, maxUnsettled: maxUnsettled, maxWait: maxWait)
        let access = access(settlements)
        let key = try await keys.create(KeyCreation(name: name, credits: 10))
        let headers = ExplicitSettlementTests.headers(key.key)
        for _ in 0..<maxUnsettled {
            let request = try await access.admit(headers, endpoint: "e")
            try await request.reserve(Credits(millis: 1000))
            request.finish(status: 200, delivered: true)
        }
        return (settlements, access, headers, key.record.id)
    }

    @Test("a reservation waits while the backlog is full and goes ahead once the writer catches up")
    func waitsForTheWriter() async throws {
        let (settlements, access, headers, keyID) = try await fullBacklog(maxUnsettled: 4, maxWait: .seconds(60), name: "backlog")
        #expect(settlements.unsettled == 4)

        let waiting = try await access.admit(headers, endpoint: "e")
        let reserved = Task { try await waiting.reserve(Credits(millis: 1000)) }
        // The fifth request's credits are held, then it waits: no charge is written meanwhile.
        let parked = await eventually { settlements.parkedWaiters == 1 }
        #expect(parked, "the fifth paid request should wait for the writer")
        #expect(try await store.statement(id: keyID, limit: 100).balance == Credits(10), "no charge is written yet")
        #expect(try await store.spendable(id: keyID) == Credits(5))

        await settlements.flush()
        try await reserved.value
        waiting.finish(status: 200, delivered: true)
        await settlements.flush()
        let statement = try await store.statement(id: keyID, limit: 100)
        #expect(statement.balance == Credits(5))
        #expect(statement.balance.millis == statement.ledger.reduce(0) { $0 + $1.amount.millis })
        #expect(settlements.unsettled == 0)
    }

    @Test("a paid request the writer does not make room for in time is refused with 503 settlement_backlog, and its hold released")
    func refusedAfterTheWait() async throws {
        let (settlements, access, headers, keyID) = try await fullBacklog(maxUnsettled: 2, maxWait: .milliseconds(50), name: "stalled")

        let refused = try await access.admit(headers, endpoint: "e")
        let error = await #expect(throws: APIError.self) { try await refused.reserve(Credits(millis: 1000)) }
        #expect(error?.status.code == 503)
        #expect(error?.code == "settlement_backlog")
        #expect(error?.headers[.retryAfter] == "1")
        refused.finish(status: 503, delivered: false)
        #expect(settlements.parkedWaiters == 0)
        #expect(settlements.unsettled == 2, "a release is not a charge that a crash could lose")

        await settlements.flush()
        let statement = try await store.statement(id: keyID, limit: 100)
        #expect(statement.balance == Credits(8), "only the two delivered requests are charged")
        #expect(statement.ledger.map(\.kind) == [.charge, .charge, .grant])
        #expect(try await store.heldInMemory(id: keyID) == .zero)
        #expect(statement.balance.millis == statement.ledger.reduce(0) { $0 + $1.amount.millis })
        #expect(try await store.releaseOpenReservations(now: Date()) == 0)
    }

    @Test("while the backlog is full, a key that cannot pay hears 402 at once, never waits for the writer")
    func insufficientCreditsDoNotWait() async throws {
        let (settlements, access, _, _) = try await fullBacklog(maxUnsettled: 2, maxWait: .seconds(600), name: "full")
        let broke = try await keys.create(KeyCreation(name: "broke while full", credits: 0))
        let request = try await access.admit(ExplicitSettlementTests.headers(broke.key), endpoint: "e")
        let clock = ContinuousClock()
        let started = clock.now
        // Waiting for the writer would take the full 600 s and end in a 503.
        let error = await #expect(throws: APIError.self) { try await request.reserve(Credits(millis: 1000)) }
        #expect(error?.code == "insufficient_credits")
        #expect(clock.now - started < .seconds(60))
        request.finish(status: 402, delivered: false)
        #expect(settlements.parkedWaiters == 0)
        #expect(settlements.unsettled == 2)
    }

    @Test("under concurrent paid requests the backlog never exceeds its cap plus the requests in flight, and every charge is written")
    func boundedUnderLoad() async throws {
        let cap = 8
        let settlements = SettlementService(store: store, logger: logger, metrics: nil, maxUnsettled: cap, maxWait: .seconds(60))
        let access = access(settlements)
        let key = try await keys.create(KeyCreation(name: "load", credits: 1000))
        let headers = ExplicitSettlementTests.headers(key.key)
        let callers = 16
        let peak = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await settlements.run() }
            try await withThrowingTaskGroup(of: Void.self) { callersGroup in
                for _ in 0..<callers {
                    callersGroup.addTask {
                        for _ in 0..<25 {
                            let request = try await access.admit(headers, endpoint: "e")
                            try await request.reserve(Credits(millis: 1000))
                            request.finish(status: 200, delivered: true)
                            let now = settlements.unsettled
                            peak.withLock { $0 = max($0, now) }
                        }
                    }
                }
                try await callersGroup.waitForAll()
            }
            let drained = await eventually { settlements.unsettled == 0 }
            #expect(drained, "the writer should catch up once callers stop")
            group.cancelAll()
        }
        #expect(peak.withLock { $0 } <= cap + callers)
        let statement = try await store.statement(id: key.record.id, limit: 1000)
        #expect(statement.balance == Credits(millis: Int64(1000 - callers * 25) * 1000))
        #expect(statement.balance.millis == statement.ledger.reduce(0) { $0 + $1.amount.millis })
    }

    @Test("usage lines of refused requests (402) never hold back a paid request, however many wait")
    func refusalsDoNotCount() async throws {
        let settlements = SettlementService(store: store, logger: logger, metrics: nil, maxUnsettled: 2, maxWait: .milliseconds(50))
        let access = access(settlements)
        let brokeKey = try await keys.create(KeyCreation(name: "broke", credits: 0))
        let broke = ExplicitSettlementTests.headers(brokeKey.key)
        for _ in 0..<10 {
            let request = try await access.admit(broke, endpoint: "e")
            let error = await #expect(throws: APIError.self) { try await request.reserve(Credits(millis: 1000)) }
            #expect(error?.code == "insufficient_credits")
            request.finish(status: 402, delivered: false)
        }
        #expect(settlements.unwrittenLines == 10)
        #expect(settlements.unsettled == 0, "a refusal holds no credit")

        let paying = try await keys.create(KeyCreation(name: "paying", credits: 5))
        let request = try await access.admit(ExplicitSettlementTests.headers(paying.key), endpoint: "e")
        try await request.reserve(Credits(millis: 1000))  // would be a 503 after 50 ms if the refusals counted
        request.finish(status: 200, delivered: true)
        #expect(settlements.unsettled == 1)

        await settlements.flush()
        #expect(try await store.statement(id: paying.record.id, limit: 10).balance == Credits(4))
        let logged = try await store.usage(id: brokeKey.record.id, since: .distantPast)
        #expect(logged.reduce(0) { $0 + $1.requests } == 10)
    }

    @Test("beyond maxLines waiting lines, refusals' usage lines are dropped; a paid request's settlement never is")
    func refusalLinesAreBounded() async throws {
        let settlements = SettlementService(store: store, logger: logger, metrics: nil, maxUnsettled: 1, maxWait: .seconds(60))
        let access = access(settlements)
        let key = try await keys.create(KeyCreation(name: "flood", credits: 3))
        let lines = settlements.maxLines
        for _ in 0..<(lines + 20) {
            settlements.enqueue(Settlement(reservation: nil, commit: false,
                                           usage: UsageEntry(keyID: key.record.id, endpoint: "e", status: 429, credits: .zero, latencySeconds: 0, time: Date())))
        }
        #expect(settlements.unwrittenLines == lines)

        let request = try await access.admit(ExplicitSettlementTests.headers(key.key), endpoint: "e")
        try await request.reserve(Credits(millis: 1000))
        request.finish(status: 200, delivered: true)
        #expect(settlements.unwrittenLines == lines + 1, "the charge is queued beyond the cap")

        await settlements.flush()
        let statement = try await store.statement(id: key.record.id, limit: 10)
        #expect(statement.balance == Credits(2))
        #expect(statement.balance.millis == statement.ledger.reduce(0) { $0 + $1.amount.millis })
        let logged = try await store.usage(id: key.record.id, since: .distantPast)
        #expect(logged.reduce(0) { $0 + $1.requests } == lines + 1)
    }
}
