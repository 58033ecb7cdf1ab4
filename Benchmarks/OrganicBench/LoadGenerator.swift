import AsyncHTTPClient
import Foundation
import NIOCore

/// A closed-loop load generator: `concurrency` workers each send the next request as soon as
/// the previous one is answered, for `duration`. Latencies of every request are kept.
struct LoadGenerator {
    var concurrency: Int
    var duration: Duration
    var warmup: Duration

    struct Result {
        var requests: Int
        var failures: Int
        var elapsed: Duration
        var latencies: [Duration]

        var requestsPerSecond: Double { Double(requests) / elapsed.secondsValue }

        func percentile(_ p: Double) -> Duration {
            guard !latencies.isEmpty else { return .zero }
            let sorted = latencies.sorted()
            let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
            return sorted[index]
        }
    }

    /// Runs the load against `url` with a fixed JSON `body`.
    func run(client: HTTPClient, url: String, body: [UInt8], headers: [(String, String)] = []) async throws -> Result {
        func send() async -> Bool {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 64 << 20)
                return response.status == .ok
            } catch {
                return false
            }
        }
        // Warm the connection pool and caches.
        let clock = ContinuousClock()
        let warmEnd = clock.now + warmup
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask { while clock.now < warmEnd { _ = await send() } }
            }
        }
        let start = clock.now
        let end = start + duration
        let perWorker = await withTaskGroup(of: ([Duration], Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Duration] = []
                    var failures = 0
                    latencies.reserveCapacity(16_384)
                    while clock.now < end {
                        let t0 = clock.now
                        if await send() { latencies.append(clock.now - t0) } else { failures += 1 }
                    }
                    return (latencies, failures)
                }
            }
            return await group.reduce(into: [([Duration], Int)]()) { $0.append($1) }
        }
        let elapsed = clock.now - start
        let latencies = perWorker.flatMap(\.0)
        return Result(requests: latencies.count, failures: perWorker.map(\.1).reduce(0, +), elapsed: elapsed, latencies: latencies)
    }
}

extension Duration {
    var secondsValue: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }

    var milliseconds: Double { secondsValue * 1000 }
}
