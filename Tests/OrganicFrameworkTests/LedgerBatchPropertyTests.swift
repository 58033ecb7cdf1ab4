import Foundation
@testable import OrganicFramework
import OrganicTestKit
import PropertyBased
import Testing

/// Settlements (and, on PostgreSQL, reservations) are written many per transaction, with each
/// key's balance moved once per transaction. These properties drive random mixes of them (several keys, concurrent
/// reservations, full, partial and free commits, releases, repeated settlements, plain logs) and
/// check the ledger exactly against a model of what each request was charged.
@Suite("Credit ledger under batched writes (property-based)")
struct LedgerBatchPropertyTests {
    /// One request as the test plays it.
    struct Request: Sendable {
        var key: Int
        var price: Int64
        var outcome: Int
        var repeated: Bool
    }

    @Test("every balance is its ledger's sum and exactly what the requests were charged; every reservation is settled once",
          arguments: StoreBackend.all)
    func batchesAddUp(_ backend: StoreBackend) async throws {
        await propertyCheck(count: 12, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let (keys, _) = try await KeyStoreTests.manager(backend)
            let store = keys.store
            let initial: Int64 = 1_000_000
            var ids: [String] = []
            for k in 0..<Int.random(in: 1...4, using: &random) {
                ids.append(try await keys.create(KeyCreation(name: "k\(k)", credits: Double(initial) / 1000)).record.id)
            }
            let requests = (0..<Int.random(in: 1...80, using: &random)).map { _ in
                Request(key: Int.random(in: 0..<ids.count, using: &random), price: Int64.random(in: 0...3_000, using: &random),
                        outcome: Int.random(in: 0...4, using: &random), repeated: Int.random(in: 0...5, using: &random) == 0)
            }
            let keyIDs = ids
            // Concurrent reservations, so that they share transactions.
            let reserved = try await withThrowingTaskGroup(of: (Int, CreditReservation?).self) { group in
                for (index, request) in requests.enumerated() {
                    group.addTask {
                        guard request.price > 0 else { return (index, nil) }
                        let outcome = try await store.reserve(id: keyIDs[request.key], amount: Credits(millis: request.price), endpoint: "e", now: Date())
                        guard case .reserved(let reservation) = outcome else { return (index, nil) }
                        return (index, reservation)
                    }
                }
                return try await group.reduce(into: [Int: CreditReservation]()) { $0[$1.0] = $1.1 }
            }
            // The settlements in a random order, in a few batches, some twice.
            var settlements: [Settlement] = []
            var repeats: [Settlement] = []
            var charged = [Int64](repeating: 0, count: ids.count)
            var charges = [Int](repeating: 0, count: ids.count)
            for (index, request) in requests.enumerated() {
                let reservation = reserved[index]
                let held = reservation?.amount.millis ?? 0
                // 0: full commit, 1: partial, 2: free (charged 0), 3: release, 4: a log line only.
                let charge: Int64 = switch request.outcome {
                case 0: held
                case 1: held / 3
                case 2: 0
                default: 0
                }
                let settlement = Settlement(reservation: request.outcome == 4 ? nil : reservation, commit: request.outcome <= 2,
                                            charged: request.outcome <= 2 ? Credits(millis: charge) : nil,
                                            usage: UsageEntry(keyID: ids[request.key], endpoint: "e", status: 200, credits: Credits(millis: charge),
                                                              latencySeconds: 0.01, time: Date()))
                if request.outcome <= 2, reservation != nil {
                    charged[request.key] += charge
                    if charge > 0 { charges[request.key] += 1 }
                }
                if request.outcome == 4, let reservation {
                    // Its reservation is released on its own.
                    settlements.append(Settlement(reservation: reservation, commit: false, usage: settlement.usage))
                }
                settlements.append(settlement)
                if request.repeated, reservation != nil, request.outcome != 4 {
                    // A repeated settlement (later) is the same request, whatever it says: nothing changes.
                    repeats.append(Settlement(reservation: reservation, commit: request.outcome > 2, charged: .zero, usage: settlement.usage))
                }
            }
            settlements.shuffle(using: &random)
            repeats.shuffle(using: &random)
            settlements += repeats
            var rest = settlements[...]
            while !rest.isEmpty {
                let size = Int.random(in: 1...max(rest.count, 1), using: &random)
                try await store.settle(batch: Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            var reservationLines = Set<Int64>()
            var settled: [Int64] = []
            for (k, id) in ids.enumerated() {
                let (balance, ledger) = try await store.statement(id: id, limit: 10_000)
                #expect(balance.millis == initial - charged[k])
                #expect(ledger.reduce(0) { $0 + $1.amount.millis } == balance.millis)
                if backend == .sqlite {
                    // Holds in memory: one line per request charged something, nothing left held.
                    #expect(ledger.filter { $0.kind == .charge }.count == charges[k])
                    #expect(ledger.allSatisfy { $0.kind == .charge || $0.kind == .grant })
                    #expect(try await store.heldInMemory(id: id) == .zero)
                }
                for line in ledger {
                    if line.kind == .reservation { reservationLines.insert(line.id) }
                    if line.kind == .commit || line.kind == .release, let reservation = line.reservationID { settled.append(reservation) }
                }
            }
            if backend == .postgres {
                #expect(reservationLines == Set(reserved.values.map(\.id)))
                #expect(settled.sorted() == reservationLines.sorted(), "each reservation settled exactly once")
            }
            #expect(try await store.releaseOpenReservations(now: Date()) == 0)
            try await store.close()
        }
    }
}
