import Foundation
import HTTPTypes
import Logging
@testable import OrganicFramework
import OrganicTestKit
import PropertyBased
import Testing

/// Usage-priced requests: the most a call can cost is held, and only what it used is charged.
@Suite("Partial settlement and usage units")
struct PartialSettlementTests {
    let keys: KeyManager
    var store: any KeyStore { keys.store }

    init() throws {
        keys = try KeyStoreTests.manager(path: KeyStoreTests.temporaryPath())
    }

    func reserve(_ id: String, millis: Int64, endpoint: String = "e") async throws -> CreditReservation {
        guard case .reserved(let r) = try await store.reserve(id: id, amount: Credits(millis: millis), endpoint: endpoint, now: Date()) else {
            throw HarnessError("\(millis) millis not reserved")
        }
        return r
    }

    static func usage(_ r: CreditReservation, charged: Credits, units: Usage = Usage(), endpoint: String = "e", time: Date = Date()) -> UsageEntry {
        UsageEntry(keyID: r.keyID, endpoint: endpoint, status: 200, credits: charged, latencySeconds: 0.01, time: time, units: units)
    }

    /// The balance, checked against the sum of the whole ledger in the same snapshot.
    func consistentBalance(_ id: String) async throws -> Int64 {
        let statement = try await store.statement(id: id, limit: 1_000_000)
        let sum = statement.ledger.reduce(Int64(0)) { $0 + $1.amount.millis }
        #expect(statement.balance.millis == sum, "balance \(statement.balance) but the ledger sums to \(sum)")
        return statement.balance.millis
    }

    /// What the key can spend: the balance less what requests in flight hold in memory.
    func spendable(_ id: String) async throws -> Int64 {
        try await consistentBalance(id) - (try await store.heldInMemory(id: id)?.millis ?? 0)
    }

    @Test("a partial commit charges exactly what was used, in one charge line that says what was held")
    func partialCommit() async throws {
        let id = try await keys.create(KeyCreation(name: "partial", credits: 10)).record.id
        let r = try await reserve(id, millis: 3000)
        #expect(try await spendable(id) == 7000)
        #expect(try await consistentBalance(id) == 10_000, "a hold is no ledger line")
        try await store.settle(r, commit: true, charged: Credits(millis: 1234), usage: Self.usage(r, charged: Credits(millis: 1234)))
        #expect(try await consistentBalance(id) == 10_000 - 1234)
        #expect(try await spendable(id) == 10_000 - 1234)
        let ledger = try await store.ledger(id: id, limit: 10)
        #expect(ledger.map(\.kind) == [.charge, .grant])
        #expect(ledger.first?.amount == Credits(millis: -1234))
        #expect(ledger.first?.note == "charged 1.234 of 3 held")

        // Charging all of it (nil or the full hold) charges the hold.
        let whole = try await reserve(id, millis: 500)
        try await store.settle(whole, commit: true, usage: Self.usage(whole, charged: whole.amount))
        let exact = try await reserve(id, millis: 500)
        try await store.settle(exact, commit: true, charged: exact.amount, usage: Self.usage(exact, charged: exact.amount))
        #expect(try await consistentBalance(id) == 10_000 - 1234 - 1000)
        #expect(try await store.ledger(id: id, limit: 2).map(\.amount) == [Credits(millis: -500), Credits(millis: -500)])
        #expect(try await store.ledger(id: id, limit: 2).map(\.note) == [nil, nil])
        try await store.close()
    }

    @Test("a charge above the hold is capped at the hold; a negative one charges nothing; a release gives all back")
    func bounds() async throws {
        let id = try await keys.create(KeyCreation(name: "bounds", credits: 5)).record.id
        let over = try await reserve(id, millis: 2000)
        try await store.settle(over, commit: true, charged: Credits(millis: 999_999), usage: Self.usage(over, charged: over.amount))
        #expect(try await consistentBalance(id) == 3000)
        #expect(try await store.ledger(id: id, limit: 1).first?.amount == Credits(millis: -2000))

        let negative = try await reserve(id, millis: 1000)
        try await store.settle(negative, commit: true, charged: Credits(millis: -50), usage: Self.usage(negative, charged: .zero))
        #expect(try await spendable(id) == 3000)

        let released = try await reserve(id, millis: 2500)
        #expect(try await spendable(id) == 500)
        // A charge given with a release is ignored: a release always returns the whole hold.
        try await store.settle(released, commit: false, charged: Credits(millis: 100), usage: Self.usage(released, charged: .zero))
        #expect(try await spendable(id) == 3000)
        #expect(try await store.ledger(id: id, limit: 10).map(\.kind) == [.charge, .grant], "nothing charged, nothing written")
        try await store.close()
    }

    @Test("settling a reservation a second time changes neither the balance, the ledger nor the usage log")
    func settleTwice() async throws {
        let id = try await keys.create(KeyCreation(name: "twice", credits: 5)).record.id
        let r = try await reserve(id, millis: 2000)
        try await store.settle(r, commit: true, charged: Credits(millis: 700), usage: Self.usage(r, charged: Credits(millis: 700)))
        let before = try await store.statement(id: id, limit: 100)
        try await store.settle(r, commit: true, charged: Credits(millis: 100), usage: Self.usage(r, charged: Credits(millis: 100)))
        try await store.settle(r, commit: false, usage: Self.usage(r, charged: .zero))
        try await store.settle(batch: [Settlement(reservation: r, commit: true, charged: .zero, usage: Self.usage(r, charged: .zero))])
        let after = try await store.statement(id: id, limit: 100)
        #expect(after.balance == before.balance)
        #expect(after.ledger == before.ledger)
        #expect(after.balance == Credits(millis: 4300))
        let logged = try await store.usage(id: id, since: Date(timeIntervalSince1970: 0))
        #expect(logged.map(\.requests) == [1])
        #expect(logged.first?.credits == Credits(millis: 700))
        try await store.close()
    }

    @Test("usage units are stored with each request and summed per UTC day and endpoint")
    func usageUnits() async throws {
        let id = try await keys.create(KeyCreation(name: "units", credits: 100)).record.id
        let day1 = Date(timeIntervalSince1970: 1_772_359_200)  // 2026-03-01 10:00 UTC
        let day1Late = day1.addingTimeInterval(13 * 3600)       // 2026-03-01 23:00 UTC
        let day2 = day1.addingTimeInterval(86_400)              // 2026-03-02 10:00 UTC
        let lines: [(Date, String, Usage)] = [
            (day1, "chat", Usage(["prompt_tokens": 10, "completion_tokens": 5])),
            (day1Late, "chat", Usage(["prompt_tokens": 7, "completion_tokens": 20])),
            (day1, "embed", Usage(["inputs": 3])),
            (day2, "chat", Usage(["prompt_tokens": 1])),
            (day2, "chat", Usage()),
        ]
        for (time, endpoint, units) in lines {
            let r = try await reserve(id, millis: 100, endpoint: endpoint)
            try await store.settle(r, commit: true, charged: Credits(millis: 40),
                                   usage: Self.usage(r, charged: Credits(millis: 40), units: units, endpoint: endpoint, time: time))
        }
        // A request without a reservation (refused) is logged with its units too.
        try await store.log(UsageEntry(keyID: id, endpoint: "embed", status: 429, credits: .zero, latencySeconds: 0, time: day2,
                                       units: Usage(["inputs": 2])))
        let summaries = try await store.usage(id: id, since: day1.addingTimeInterval(-36_000))
        let byKey = Dictionary(uniqueKeysWithValues: summaries.map { ("\($0.day) \($0.endpoint)", $0) })
        #expect(Set(byKey.keys) == ["2026-03-01 chat", "2026-03-01 embed", "2026-03-02 chat", "2026-03-02 embed"])
        #expect(byKey["2026-03-01 chat"]?.units == ["prompt_tokens": 17, "completion_tokens": 25])
        #expect(byKey["2026-03-01 chat"]?.requests == 2)
        #expect(byKey["2026-03-01 chat"]?.credits == Credits(millis: 80))
        #expect(byKey["2026-03-01 embed"]?.units == ["inputs": 3])
        #expect(byKey["2026-03-02 chat"]?.units == ["prompt_tokens": 1])
        #expect(byKey["2026-03-02 chat"]?.requests == 2)
        #expect(byKey["2026-03-02 embed"]?.units == ["inputs": 2])
        #expect(byKey["2026-03-02 embed"]?.successes == 0)
        // `since` bounds the requests whose units are summed.
        let later = try await store.usage(id: id, since: day2)
        #expect(later.map(\.units) == [["prompt_tokens": 1], ["inputs": 2]])
        try await store.close()
    }

    @Test("PendingRequest.finish charges at most what was held, logs the units, and releases an undelivered answer")
    func throughPendingRequest() async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let settlements = SettlementService(store: store, logger: logger)
        let access = AccessControl(authenticator: KeyAuthenticator(store: store), limiter: RateLimiter(), store: store,
                                   clock: SystemNodeClock(), settlements: settlements, logger: logger)
        let key = try await keys.create(KeyCreation(name: "pending", credits: 10))
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(key.key)"

        let greedy = try await access.admit(headers, endpoint: "chat")
        try await greedy.reserve(Credits(millis: 2000))
        #expect(try await spendable(key.record.id) == 8000)
        greedy.finish(status: 200, delivered: true, charged: Credits(millis: 5000), units: Usage(["completion_tokens": 9]))
        greedy.finish(status: 200, delivered: true, charged: Credits(millis: 1))  // ignored: finished once
        await settlements.flush()
        #expect(try await consistentBalance(key.record.id) == 8000)

        let modest = try await access.admit(headers, endpoint: "chat")
        try await modest.reserve(Credits(millis: 2000))
        modest.finish(status: 200, delivered: true, charged: Credits(millis: 345), units: Usage(["completion_tokens": 3]))
        await settlements.flush()
        #expect(try await consistentBalance(key.record.id) == 8000 - 345)

        let failed = try await access.admit(headers, endpoint: "chat")
        try await failed.reserve(Credits(millis: 2000))
        failed.finish(status: 502, delivered: false, charged: Credits(millis: 345))
        await settlements.flush()
        #expect(try await consistentBalance(key.record.id) == 8000 - 345)

        let logged = try await store.usage(id: key.record.id, since: Date(timeIntervalSince1970: 0))
        #expect(logged.count == 1)
        #expect(logged.first?.requests == 3)
        #expect(logged.first?.successes == 2)
        #expect(logged.first?.credits == Credits(millis: 2000 + 345))
        #expect(logged.first?.units == ["completion_tokens": 12])
        #expect(try await store.releaseOpenReservations(now: Date()) == 0)
        try await store.close()
    }

    /// One step of a random session against the ledger.
    enum Step: Sendable, CustomStringConvertible {
        case reserve(Int64)
        /// Commits the n-th open reservation, charging `charged` (nil: all of it).
        case commit(Int, charged: Int64?)
        case release(Int)
        /// Settles the n-th already settled reservation again.
        case again(Int, charged: Int64)

        var description: String {
            switch self {
            case .reserve(let m): "reserve(\(m))"
            case .commit(let n, let c): "commit(#\(n), \(c.map(String.init) ?? "all"))"
            case .release(let n): "release(#\(n))"
            case .again(let n, let c): "again(#\(n), \(c))"
            }
        }
    }

    static let steps = zip(Gen.int(in: 0...5), Gen.int64(in: 1...4000), Gen.int64(in: -200...5000)).map { step -> Step in
        let (kind, amount, charge) = step
        return switch kind {
        case 0, 1: .reserve(amount)
        case 2: .commit(Int(amount), charged: charge)
        case 3: .commit(Int(amount), charged: nil)
        case 4: .release(Int(amount))
        default: .again(Int(amount), charged: charge)
        }
    }

    @Test("random reserve / partial commit / release / re-settle sequences keep balance = Σ ledger, and what can be spent as expected, never negative")
    func randomSessions() async throws {
        let store = self.store
        let keys = self.keys
        await propertyCheck(count: 40, input: Gen.int64(in: 0...12_000), Self.steps.array(of: 1...40)) { initial, steps in
            do {
                let id = try await keys.create(KeyCreation(name: "random", credits: Double(initial) / 1000)).record.id
                var expected = initial
                var open: [CreditReservation] = []
                var settled: [CreditReservation] = []
                for step in steps {
                    switch step {
                    case .reserve(let millis):
                        let outcome = try await store.reserve(id: id, amount: Credits(millis: millis), endpoint: "e", now: Date())
                        switch outcome {
                        case .reserved(let r):
                            #expect(millis <= expected, "\(step) granted on \(expected)")
                            expected -= millis
                            open.append(r)
                        case .insufficient(let balance):
                            #expect(millis > expected && balance.millis == expected, "\(step) refused on \(expected)")
                        case .unknownKey:
                            Issue.record("unknown key")
                        }
                    case .commit(let n, let charged):
                        guard !open.isEmpty else { continue }
                        let r = open.remove(at: n % open.count)
                        let charge = charged.map { min(max($0, 0), r.amount.millis) } ?? r.amount.millis
                        try await store.settle(r, commit: true, charged: charged.map(Credits.init(millis:)),
                                               usage: Self.usage(r, charged: Credits(millis: charge)))
                        expected += r.amount.millis - charge
                        settled.append(r)
                    case .release(let n):
                        guard !open.isEmpty else { continue }
                        let r = open.remove(at: n % open.count)
                        try await store.settle(r, commit: false, usage: Self.usage(r, charged: .zero))
                        expected += r.amount.millis
                        settled.append(r)
                    case .again(let n, let charged):
                        guard !settled.isEmpty else { continue }
                        let r = settled[n % settled.count]
                        try await store.settle(r, commit: true, charged: Credits(millis: charged), usage: Self.usage(r, charged: .zero))
                    }
                    let balance = try await spendable(id)
                    #expect(balance == expected, "after \(step)")
                    #expect(balance >= 0)
                }
                let logged = try await store.usage(id: id, since: Date(timeIntervalSince1970: 0))
                #expect(logged.map(\.requests).reduce(0, +) == settled.count, "each request logged once")
            } catch {
                Issue.record(error)
            }
        }
        try await store.close()
    }
}
