import ArgumentParser
import Foundation
import OrganicFramework

/// Benchmarks of API keys: the hot-path check and the credit round trip to SQLite. The
/// end-to-end cost of keys is measured by `organic-bench e2e` (auth off vs on).
enum KeysBenchmark {
    struct Results: Sendable {
        /// Key verification + rate-limit check per second, one task, warm cache.
        var checksPerSecond: Double
        /// Sequential reserve + commit transactions per second, and the mean round trip in µs.
        var creditRoundTripsPerSecond: Double
        var creditRoundTripMicroseconds: Double
    }

    static func run(seconds: Double = 3, print: (String) -> Void = { Swift.print($0) }) async throws -> Results {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-keys-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("keys.sqlite").path)
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

        // 2. Credit reservation + commit, each its own WAL transaction.
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
        print(String(format: "keys: credit reserve + commit round trip to SQLite: %.0f/s sequential, %.1f µs each", tripsPerSecond, 1e6 / tripsPerSecond))
        try database.close()

        return Results(checksPerSecond: checks, creditRoundTripsPerSecond: tripsPerSecond, creditRoundTripMicroseconds: 1e6 / tripsPerSecond)
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
        commandName: "keys", abstract: "API keys: verification + rate-limit checks per second; credit reserve+commit round trips to SQLite.")

    @Option(help: "Seconds of measurement per part.") var seconds = 3.0

    func run() async throws {
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        _ = try await KeysBenchmark.run(seconds: seconds)
    }
}
