import ArgumentParser
import Foundation
import Logging
import OrganicFramework
import ServiceLifecycle

/// Benchmarks of API keys: the hot-path check and the credit round trip to SQLite. The
/// end-to-end cost of keys is measured by `organic-bench e2e` (auth off vs on).
enum KeysBenchmark {
    struct Results: Sendable {
        /// Key verification + rate-limit check per second, one task, warm cache.
        var checksPerSecond: Double
        /// Sequential holds (in memory) each settled in its own transaction, per second, and the
        /// mean round trip in µs.
        var creditRoundTripsPerSecond: Double
        var creditRoundTripMicroseconds: Double
        /// Paid requests per second with `concurrency` callers, reserve then batched settlement.
        var settlement: SettlementResult
    }

    struct SettlementResult: Sendable {
        var requestsPerSecond: Double
        var requests: Int
        /// Every key's balance is the sum of its ledger and what the requests were charged.
        var ledgerExact: Bool
        /// Every hold settled exactly once (one charge line per charged request where holds are
        /// kept in memory, a commit or release line per reservation where they are durable),
        /// nothing left held, and every request logged once.
        var settledOnce: Bool

        func summary(concurrency: Int, backend: String, target: String = "") -> String {
            String(format: "keys: paid requests on %@ (%d callers over 16 keys: reserve, then batched settlement): %.0f/s sustained%@; %d requests, ledger %@, every reservation settled once: %@",
                   backend, concurrency, requestsPerSecond, target, requests, ledgerExact ? "exact" : "WRONG", settledOnce ? "yes" : "NO")
        }
    }

    /// The settlement part alone, on the PostgreSQL database at `url` (which it adds keys to).
    static func settlement(postgres url: String, seconds: Double, concurrency: Int) async throws -> SettlementResult {
        var database = NodeConfiguration.Database()
        database.url = url
        let logger = Logger(label: "organic-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let stores = try await NodeStores.open(database, logger: logger)
        do {
            let result = try await settlement(store: stores.keys, manager: KeyManager(store: stores.keys), seconds: seconds,
                                              concurrency: concurrency, keyCount: 16)
            try await stores.close()
            return result
        } catch {
            try? await stores.close()
            throw error
        }
    }

    static func run(seconds: Double = 3, concurrency: Int = 64, print: (String) -> Void = { Swift.print($0) }) async throws -> Results {
        let database = try SQLiteDatabase(path: BenchScratch.databasePath())
        let store = SQLiteKeyStore(database: database)
        let manager = KeyManager(store: store)

        // 1. Hot path: verification (format, checksum, SHA-256, cache, constant-time compare) + rate limit.
        var secrets: [String] = []
        var ids: [String] = []
        for index in 0..<256 {
            let created = try await manager.create(KeyCreation(name: "bench-\(index)", unlimited: true, rateLimits: ["1000000000/s", "1000000000/day"]))
            secrets.append(created.key)
            ids.append(created.record.id)
        }
        let authenticator = KeyAuthenticator(store: store)
        let limiter = RateLimiter()
        let now = Date()
        for secret in secrets { _ = try await authenticator.authenticate(secret, now: now) }
        let checks = hotPath(authenticator: authenticator, limiter: limiter, secrets: secrets, now: now, seconds: seconds)
        print(String(format: "keys: verification + rate-limit check: %.0f checks/s (one task, warm cache, 256 keys, 2 rules each)", checks))

        // 2. A hold (in memory) and its settlement (one WAL transaction), one after the other.
        let paying = try await manager.create(KeyCreation(name: "credits", credits: 1_000_000_000))
        let clock = ContinuousClock()
        var trips = 0
        let start = clock.now
        while clock.now - start < .seconds(seconds) {
            guard case .reserved(let reservation) = try await store.reserve(id: paying.record.id, amount: Credits(millis: 1000), endpoint: "bench", now: Date())
            else { break }
            try await store.settle(reservation, commit: true, usage: UsageEntry(keyID: paying.record.id, endpoint: "bench", status: 200,
                                                                                credits: reservation.amount, latencySeconds: 0.001, time: Date()))
            trips += 1
        }
        let elapsed = (clock.now - start).seconds
        let tripsPerSecond = Double(trips) / elapsed
        print(String(format: "keys: credit hold + settlement round trip to SQLite: %.0f/s sequential, %.1f µs each", tripsPerSecond, 1e6 / tripsPerSecond))

        // 3. Paid requests as the node settles them.
        let settlement = try await Self.settlement(store: store, manager: manager, seconds: seconds, concurrency: concurrency, keyCount: 16)
        print(settlement.summary(concurrency: concurrency, backend: "SQLite", target: " (target >= 50,000)"))
        try database.close()

        return Results(checksPerSecond: checks, creditRoundTripsPerSecond: tripsPerSecond, creditRoundTripMicroseconds: 1e6 / tripsPerSecond,
                       settlement: settlement)
    }

    /// Paid requests as the node carries them: `concurrency` callers each reserve a request's price
    /// (in memory on SQLite; group-committed and durable on PostgreSQL), wait while the writer is
    /// 1,024 charges behind (as paid requests do), and hand its settlement to the
    /// node's ``SettlementService`` (batched), nine commits in ten (a third of them charging less
    /// than was held) and one release. The time runs until the last settlement is written, so the
    /// rate is what the store sustains. Then the ledger is checked: every key's balance is the sum
    /// of its ledger and exactly what the bench charged, every reservation is settled exactly once
    /// and every request logged once.
    static func settlement(store: any KeyStore, manager: KeyManager, seconds: Double,
                           concurrency: Int, keyCount: Int) async throws -> SettlementResult {
        let initial: Int64 = 1_000_000_000
        var ids: [String] = []
        for index in 0..<keyCount {
            ids.append(try await manager.create(KeyCreation(name: "paying-\(index)", credits: Double(initial))).record.id)
        }
        let keys = ids
        let logger = Logger(label: "organic-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let service = SettlementService(store: store, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [service], logger: logger))
        let writer = Task { try await group.run() }
        let price = Credits(millis: 1_500)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(seconds)
        // Per caller: requests, millicredits charged per key, and commits per key.
        let outcomes = try await withThrowingTaskGroup(of: (Int, [Int64], [Int]).self) { callers in
            for caller in 0..<concurrency {
                callers.addTask {
                    var requests = 0
                    var charged = [Int64](repeating: 0, count: keys.count)
                    var commits = [Int](repeating: 0, count: keys.count)
                    while clock.now < deadline {
                        let k = (caller + requests * concurrency) % keys.count
                        guard case .reserved(let reservation) = try await store.reserve(id: keys[k], amount: price, endpoint: "bench", now: Date())
                        else { throw ValidationError("a reservation was refused") }
                        // As the node does: the writer counts holds still to settle, and no paid request goes on
                        // while 1,024 charges wait to be written.
                        service.held()
                        guard await service.waitForRoom() else { throw ValidationError("the settlement writer fell 5 s behind") }
                        let commit = requests % 10 != 9
                        let charge = commit ? (requests % 3 == 0 ? Credits(millis: 1_000) : price) : .zero
                        service.enqueue(Settlement(reservation: reservation, commit: commit, charged: commit ? charge : nil,
                                                   usage: UsageEntry(keyID: keys[k], endpoint: "bench", status: commit ? 200 : 502,
                                                                     credits: charge, latencySeconds: 0.001, time: Date())))
                        charged[k] += charge.millis
                        if commit { commits[k] += 1 }
                        requests += 1
                    }
                    return (requests, charged, commits)
                }
            }
            return try await callers.reduce(into: [(Int, [Int64], [Int])]()) { $0.append($1) }
        }
        // The service writes what is queued before it stops, as at a node's shutdown.
        await group.triggerGracefulShutdown()
        try await writer.value
        let elapsed = (clock.now - start).seconds
        let requests = outcomes.reduce(0) { $0 + $1.0 }
        // The ledger, read back through the store.
        var exact = true
        var reserved = Set<Int64>(), settled = Set<Int64>()
        var settlementLines = 0, logged = 0, chargeLines = 0, expectedCharges = 0
        var nothingHeld = true
        for (k, id) in keys.enumerated() {
            expectedCharges += outcomes.reduce(0) { $0 + $1.2[k] }
            if let held = try await store.heldInMemory(id: id), held != .zero { nothingHeld = false }
            let (balance, ledger) = try await store.statement(id: id, limit: Int(Int32.max))
            let expected = initial * 1000 - outcomes.reduce(0) { $0 + $1.1[k] }
            if balance.millis != expected || ledger.reduce(0, { $0 + $1.amount.millis }) != balance.millis { exact = false }
            for line in ledger {
                switch line.kind {
                case .charge: chargeLines += 1
                case .reservation: reserved.insert(line.id)
                case .commit, .release:
                    settlementLines += 1
                    if let reservation = line.reservationID { settled.insert(reservation) }
                default: break
                }
            }
            logged += try await store.usage(id: id, since: .distantPast).reduce(0) { $0 + $1.requests }
        }
        let leftOpen = try await store.releaseOpenReservations(now: Date())
        let durable = reserved.count == requests && settled == reserved && settlementLines == requests && chargeLines == 0
        let inMemory = reserved.isEmpty && settlementLines == 0 && chargeLines == expectedCharges
        let once = (durable || inMemory) && nothingHeld && leftOpen == 0 && logged == requests
        return SettlementResult(requestsPerSecond: Double(requests) / elapsed, requests: requests, ledgerExact: exact, settledOnce: once)
    }

    static func hotPath(authenticator: KeyAuthenticator, limiter: RateLimiter, secrets: [String], now: Date, seconds: Double) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var checks = 0
        var nanos = Int64(now.timeIntervalSince1970 * 1e9)
        while true {
            for secret in secrets {
                guard case .verified(let record) = authenticator.checkCached(secret, now: now) else { return 0 }
                nanos += 1
                guard case .allowed = limiter.admit(keyID: record.id, rules: record.rateLimits, maxConcurrent: record.maxConcurrent,
                                                     endpoint: "text-embeddings", nowNanoseconds: nanos) else { return 0 }
            }
            checks += secrets.count
            if checks % 65_536 < secrets.count, clock.now - start >= .seconds(seconds) { break }
        }
        return Double(checks) / (clock.now - start).seconds
    }
}

/// `organic-bench keys`.
struct KeysBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "API keys: verification + rate-limit checks per second; credit hold + settlement round trips and paid-request settlement on SQLite.",
        discussion: """
            With --postgres-url, only the paid-request settlement part runs, against that PostgreSQL database \
            (as several nodes share it); it adds 16 keys there, so use a scratch database.
            """)

    @Option(help: "Seconds of measurement per part.") var seconds = 3.0
    @Option(help: "Concurrent paying callers in the settlement part.") var concurrency = 64
    @Option(help: "A scratch PostgreSQL database (postgres://…) for the settlement part alone.") var postgresURL: String?

    func run() async throws {
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        if let postgresURL {
            let result = try await KeysBenchmark.settlement(postgres: postgresURL, seconds: seconds, concurrency: concurrency)
            print(result.summary(concurrency: concurrency, backend: "PostgreSQL"))
            return
        }
        _ = try await KeysBenchmark.run(seconds: seconds, concurrency: concurrency)
    }
}
