import Foundation
import Logging
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// Group commit: under load the settlement writer waits a moment for more settlements before a
/// small batch; a lone caller's charge is written at once. Either way every charge is written.
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

    @Test("with many requests holding credits, a first settlement waits for others; it is written once the linger ends")
    func lingersUnderLoad() async throws {
        let settlements = SettlementService(store: store, logger: logger)
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
        let settlements = SettlementService(store: store, logger: logger)
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

    @Test("a lone caller's charge is written at once, never held back for others")
    func loneCallerIsNotDelayed() async throws {
        let settlements = SettlementService(store: store, logger: logger)
        let (keyID, reservations) = try await holds(SettlementService.lingerSiblings - 1, settlements: settlements)
        try await withWriter(settlements) {
            for reservation in reservations {
                settlements.enqueue(charge(reservation))
                #expect(!settlements.isLingering)
            }
            #expect(await eventually { settlements.unsettled == 0 })
            let balance = try await store.statement(id: keyID, limit: 100).balance
            #expect(balance == Credits(millis: Int64(1000 - reservations.count) * 1000))
        }
    }

    @Test("a flush does not wait for a linger")
    func flushEndsALinger() async throws {
        let settlements = SettlementService(store: store, logger: logger)
        let (keyID, reservations) = try await holds(32, settlements: settlements)
        try await withWriter(settlements) {
            settlements.enqueue(charge(reservations[0]))
            #expect(settlements.isLingering)
            await settlements.flush()
            #expect(settlements.unsettled == 0)
            let balance = try await store.statement(id: keyID, limit: 100).balance
            #expect(balance == Credits(millis: 999_000))
        }
    }
}
