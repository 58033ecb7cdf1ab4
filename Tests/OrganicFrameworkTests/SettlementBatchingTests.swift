import Foundation
import Logging
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// Group commit: under load the settlement writer waits a moment for more settlements before a
/// small batch, and it starts at most one transaction per spacing; a charge after a quiet spell is
/// written at once. Either way every charge is written.
@Suite("Settlement batching")
struct SettlementBatchingTests {
    let keys: KeyManager
    var store: any KeyStore { keys.store }
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws {
        keys = try KeyStoreTests.manager(path: KeyStoreTests.temporaryPath())
    }

    /// `count` one-credit holds on a new key, each counted by the writer as a settlement to come.
    func holds(_ count: Int, settlements: SettlementService) async throws -> (keyID: String, reservations: [CreditReservation]) {
        let key = try await keys.create(KeyCreation(name: "batching", credits: 1000))
        var reservations: [CreditReservation] = []
        for _ in 0..<count {
            guard case .reserved(let reservation) = try await store.reserve(id: key.record.id, amount: Credits(millis: 1000), endpoint: "e", now: Date()) else {
                Issue.record("a hold was refused")
                continue
            }
            settlements.held()
            reservations.append(reservation)
        }
        return (key.record.id, reservations)
    }

    func charge(_ reservation: CreditReservation) -> Settlement {
        Settlement(reservation: reservation, commit: true,
                   usage: UsageEntry(keyID: reservation.keyID, endpoint: "e", status: 200, credits: Credits(millis: 1000), latencySeconds: 0, time: Date()))
    }

    /// Runs `body` with the writer started, then stops it.
    func withWriter(_ settlements: SettlementService, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await settlements.run() }
            // run() starts the writer before it waits for shutdown.
            #expect(await eventually { settlements.isStarted })
            try await body()
            group.cancelAll()
        }
    }

    /// Without the spacing, so that only the linger for requests holding credits acts.
    func unspaced(linger: Duration = .milliseconds(2)) -> SettlementService {
        SettlementService(store: store, logger: logger, metrics: nil, minSpacing: .zero, maxLinger: linger)
    }

    /// A spacing no test outlasts: only a flush, a full batch or a full backlog ends its linger.
    func spaced(_ spacing: Duration) -> SettlementService {
        SettlementService(store: store, logger: logger, metrics: nil, minSpacing: spacing)
    }

    @Test("with many requests holding credits, a first settlement waits for others; it is written once the linger ends")
    func lingersUnderLoad() async throws {
        let settlements = unspaced()
        let (keyID, reservations) = try await holds(32, settlements: settlements)
        try await withWriter(settlements) {
            settlements.enqueue(charge(reservations[0]))
            #expect(settlements.isLingering, "31 requests still hold credits: the writer waits for their settlements")
            #expect(await eventually { settlements.unsettled == 0 }, "the linger is bounded: the charge is written without more arriving")
            #expect(!settlements.isLingering)
            let balance = try await store.statement(id: keyID, limit: 100).balance
            #expect(balance == Credits(millis: 999_000))
        }
    }

    @Test("a linger ends as soon as as many settlements are queued as requests still hold credits")
    func lingerEndsWhenEnoughAreQueued() async throws {
        // A linger no test outlasts: only the settlements queued end it.
        let settlements = unspaced(linger: .seconds(3600))
        let (keyID, reservations) = try await holds(16, settlements: settlements)
        try await withWriter(settlements) {
            for (index, reservation) in reservations.prefix(8).enumerated() {
                #expect(settlements.isLingering == (index > 0), "settlement \(index)")
                settlements.enqueue(charge(reservation))
            }
            #expect(!settlements.isLingering, "8 queued, 8 still holding: the batch goes")
            // Fewer than lingerSiblings hold credits now: each of the rest is written at once.
            for reservation in reservations.suffix(8) {
                settlements.enqueue(charge(reservation))
                #expect(!settlements.isLingering)
            }
            #expect(await eventually { settlements.unsettled == 0 })
            let statement = try await store.statement(id: keyID, limit: 100)
            #expect(statement.balance == Credits(millis: 984_000))
            #expect(statement.ledger.filter { $0.kind == .charge }.count == 16)
        }
    }

    @Test("a lone caller's charge after a quiet spell is written at once, never held back for others")
    func loneCallerIsNotDelayed() async throws {
        let settlements = SettlementService(store: store, logger: logger)
        let (keyID, reservations) = try await holds(SettlementService.lingerSiblings - 1, settlements: settlements)
        try await withWriter(settlements) {
            for reservation in reservations {
                settlements.enqueue(charge(reservation))
                #expect(!settlements.isLingering)
                #expect(await eventually { settlements.unsettled == 0 })
                try await Task.sleep(for: settlements.minSpacing * 2)
            }
            let balance = try await store.statement(id: keyID, limit: 100).balance
            #expect(balance == Credits(millis: Int64(1000 - reservations.count) * 1000))
        }
    }

    @Test("charges that follow a transaction within the spacing wait for it together, and go when it is over")
    func chargesWithinTheSpacingAreGathered() async throws {
        let settlements = spaced(.milliseconds(300))
        let (keyID, reservations) = try await holds(6, settlements: settlements)
        try await withWriter(settlements) {
            settlements.enqueue(charge(reservations[0]))
            #expect(!settlements.isLingering, "the first charge goes at once")
            #expect(await eventually { settlements.unsettled == 0 })
            for reservation in reservations.dropFirst() {
                settlements.enqueue(charge(reservation))
                #expect(settlements.isLingering, "a transaction started less than 300 ms ago")
            }
            #expect(settlements.unsettled == 5)
            #expect(await eventually { settlements.unsettled == 0 }, "the spacing ends the wait without more arriving")
            #expect(!settlements.isLingering)
            let statement = try await store.statement(id: keyID, limit: 100)
            #expect(statement.balance == Credits(millis: 994_000))
            #expect(statement.ledger.filter { $0.kind == .charge }.count == 6)
        }
    }

    @Test("a spacing wait ends at once when a full batch is queued")
    func aFullBatchEndsTheSpacing() async throws {
        let settlements = spaced(.seconds(3600))
        let (keyID, reservations) = try await holds(1, settlements: settlements)
        try await withWriter(settlements) {
            settlements.enqueue(charge(reservations[0]))
            #expect(await eventually { settlements.unsettled == 0 })
            // Usage lines of refused requests (a 429 flood, say): no request holds credits for them.
            let refused = UsageEntry(keyID: keyID, endpoint: "e", status: 429, credits: .zero, latencySeconds: 0, time: Date())
            for _ in 1..<SettlementService.maxBatch {
                settlements.enqueue(Settlement(reservation: nil, commit: false, usage: refused))
            }
            #expect(settlements.isLingering)
            #expect(settlements.unwrittenLines == SettlementService.maxBatch - 1)
            settlements.enqueue(Settlement(reservation: nil, commit: false, usage: refused))
            #expect(!settlements.isLingering, "\(SettlementService.maxBatch) queued: the batch goes")
            #expect(await eventually { settlements.unwrittenLines == 0 })
            let usage = try await store.usage(id: keyID, since: Date(timeIntervalSinceNow: -3600))
            #expect(usage.map(\.requests).reduce(0, +) == SettlementService.maxBatch + 1)
        }
    }

    @Test("a flush does not wait for a linger, for requests holding credits or for the spacing")
    func flushEndsALinger() async throws {
        let settlements = unspaced()
        let (keyID, reservations) = try await holds(32, settlements: settlements)
        try await withWriter(settlements) {
            settlements.enqueue(charge(reservations[0]))
            #expect(settlements.isLingering, "31 requests still hold credits")
            await settlements.flush()
            #expect(settlements.unsettled == 0)
            let balance = try await store.statement(id: keyID, limit: 100).balance
            #expect(balance == Credits(millis: 999_000))
        }
        let spaced = spaced(.seconds(3600))
        let (otherKeyID, others) = try await holds(2, settlements: spaced)
        try await withWriter(spaced) {
            spaced.enqueue(charge(others[0]))
            #expect(await eventually { spaced.unsettled == 0 })
            // Written: the spacing now holds the next charge back, until a flush.
            spaced.enqueue(charge(others[1]))
            #expect(spaced.isLingering)
            try await Task.sleep(for: .milliseconds(50))
            #expect(spaced.unsettled == 1, "nothing but a flush ends an hour's spacing")
            await spaced.flush()
            #expect(spaced.unsettled == 0)
            let balance = try await store.statement(id: otherKeyID, limit: 100).balance
            #expect(balance == Credits(millis: 998_000))
        }
    }
}
