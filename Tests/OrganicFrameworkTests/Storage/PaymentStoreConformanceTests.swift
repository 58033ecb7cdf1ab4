import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// Ledger actors and payments behave identically on SQLite and PostgreSQL.
extension StoreConformanceTests {
    static func payment(_ event: String, key: String, credits: Int64 = 100, reference: String? = nil) -> PaymentCredit {
        PaymentCredit(provider: .stripe, eventID: event, keyID: key, credits: Credits(millis: credits * 1000), reference: reference,
                      amountPaid: 500, currency: "usd")
    }

    @Test("ledger lines name who made them: the operator's channel, nil for the node's own lines (also through the statement)",
          arguments: StoreBackend.all)
    func ledgerActors(_ backend: StoreBackend) async throws {
        let stores = try await TestDatabase.make(backend).open()
        let keys = KeyManager(store: stores.keys, clock: ManualNodeClock(start: Self.start))
        let id = try await keys.create(KeyCreation(name: "actors", credits: 10)).record.id
        _ = try await keys.credit(id: id, amount: 5, note: "goodwill", actor: LedgerActor.cli)
        _ = try await keys.credit(id: id, amount: -2, note: "typo", actor: LedgerActor.console)
        _ = try await keys.credit(id: id, amount: 1, note: "ticket 7", refund: true, actor: LedgerActor.adminAPI)
        _ = try await stores.keys.addCredits(id: id, amount: Credits(millis: 1000), kind: .grant, note: nil, now: Self.start)
        #expect(try await KeyStoreTests.reserveAndSettle(stores.keys, key: id, millis: 500, commit: true))
        let lines = try await stores.keys.ledger(id: id, limit: 10)
        // The request's lines: one charge (holds in memory) or its hold and commit (durable holds).
        let requestLines = backend == .sqlite ? 1 : 2
        #expect(lines.map(\.actor) == [String?](repeating: nil, count: requestLines) + [nil, "admin-api", "console", "cli", nil])
        #expect(lines.map(\.note)[(requestLines + 1)...(requestLines + 3)] == ["ticket 7", "typo", "goodwill"])
        let shown = try await keys.show(id: id, ledgerLimit: 10)
        #expect(shown.ledger == lines && shown.balance == Credits(millis: 14_500))
        try await stores.close()
    }

    @Test("a payment credits its key once per event and per reference; refusals are stored; the listing is newest first",
          arguments: StoreBackend.all)
    func paymentsApplyOnce(_ backend: StoreBackend) async throws {
        let database = try await TestDatabase.make(backend)
        let stores = try await database.open()
        let store = stores.keys
        let keys = KeyManager(store: store, clock: ManualNodeClock(start: Self.start))
        let id = try await keys.create(KeyCreation(name: "buyer")).record.id
        let revoked = try await keys.create(KeyCreation(name: "gone")).record.id
        _ = try await keys.revoke(id: revoked)

        guard case .credited(let record, let entry) = try await store.applyPayment(Self.payment("evt_1", key: id, reference: "cs_1"), now: Self.start) else {
            Issue.record("not credited"); return
        }
        #expect(record.state == .credited && record.refusal == nil && record.ledgerEntryID == entry.id && record.credits == Credits(millis: 100_000))
        #expect(record.reference == "cs_1" && record.amountPaid == 500 && record.currency == "usd" && record.receivedAt == Self.start)
        #expect(entry.kind == .grant && entry.actor == "stripe" && entry.note == "stripe event evt_1" && entry.amount == Credits(millis: 100_000))
        #expect(try await store.ledger(id: id, limit: 1) == [entry])

        // The same event again, and another event for the same checkout session: nothing changes.
        #expect(try await store.applyPayment(Self.payment("evt_1", key: id, reference: "cs_1"), now: Self.start) == .duplicate(record))
        #expect(try await store.applyPayment(Self.payment("evt_1b", key: id, credits: 7, reference: "cs_1"), now: Self.start) == .duplicate(record))
        #expect(try await store.balance(id: id) == Credits(millis: 100_000))

        let unknown = try await store.applyPayment(Self.payment("evt_2", key: "key_nobody"), now: Self.start.addingTimeInterval(1))
        #expect(unknown.record.state == .refused && unknown.record.refusal == .unknownKey && unknown.record.ledgerEntryID == nil)
        #expect(try await store.applyPayment(Self.payment("evt_2", key: id), now: Self.start) == .duplicate(unknown.record))
        let gone = try await store.applyPayment(Self.payment("evt_3", key: revoked, reference: "cs_3"), now: Self.start.addingTimeInterval(2))
        #expect(gone.record.refusal == .revokedKey)
        let zero = try await store.applyPayment(Self.payment("evt_4", key: id, credits: 0), now: Self.start.addingTimeInterval(3))
        #expect(zero.record.refusal == .invalidMetadata)
        let long = try await store.applyPayment(Self.payment("evt_5", key: String(repeating: "k", count: 65)), now: Self.start.addingTimeInterval(4))
        #expect(long.record.refusal == .invalidMetadata)
        #expect(try await store.balance(id: id) == Credits(millis: 100_000))
        #expect(try await store.balance(id: revoked) == .zero)

        let listed = try await store.payments(limit: 10)
        #expect(listed == [long.record, zero.record, gone.record, unknown.record, record])
        #expect(try await keys.payments(limit: 2).payments == [long.record, zero.record])
        await #expect(throws: APIError.self) { try await keys.payments(limit: 0) }
        try await stores.close()
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("one event applied by many tasks on two instances at once credits once; the balance is the sum of the ledger",
          arguments: StoreBackend.all)
    func paymentsConcurrently(_ backend: StoreBackend) async throws {
        let database = try await TestDatabase.make(backend)
        let first = try await database.open()
        let second = try await database.open()
        let id = try await KeyManager(store: first.keys, clock: ManualNodeClock(start: Self.start)).create(KeyCreation(name: "race")).record.id
        let events = ["evt_a", "evt_b", "evt_c"]
        let outcomes = try await withThrowingTaskGroup(of: PaymentOutcome.self) { group in
            for i in 0..<60 {
                let store = (i % 2 == 0 ? first : second).keys
                let event = events[i % events.count]
                // evt_c repeats evt_a's checkout session: it must not credit a second time.
                let reference = event == "evt_b" ? "cs_b" : "cs_a"
                group.addTask { try await store.applyPayment(Self.payment(event, key: id, credits: 5, reference: reference), now: Self.start) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let credited = outcomes.filter { if case .credited = $0 { true } else { false } }
        #expect(credited.count == 2)
        #expect(Set(credited.map(\.record.reference)) == ["cs_a", "cs_b"])
        #expect(outcomes.count - credited.count == 58)
        #expect(try await second.keys.balance(id: id) == Credits(millis: 10_000))
        let ledger = try await first.keys.ledger(id: id, limit: 100)
        #expect(ledger.count == 2 && ledger.allSatisfy { $0.actor == "stripe" && $0.kind == .grant })
        #expect(try await first.keys.payments(limit: 100).count == 2)
        try await first.close()
        try await second.close()
        #expect(try await database.ledgerIsConsistent())
    }
}
