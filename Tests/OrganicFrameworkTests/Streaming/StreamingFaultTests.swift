import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// A streamed answer through a real node, with the miner or the caller misbehaving: what the
/// caller receives, what it pays, how the miner is scored, and whether a slow caller can make
/// the node buffer without bound.
@Suite("Streaming under faults", .serialized)
struct StreamingFaultTests {
    static let chunkTimeout = Duration.milliseconds(500)
    static let price = Credits(CounterEndpoint.unitPrice) ?? .zero

    // MARK: Helpers

    /// One reference miner serving the counter endpoint with `faults`, organic rounds always
    /// scored, no retries; the body gets a key holding `credits`.
    func withCounterNetwork(faults: MinerFaults = .none, credits: Double = 100,
                            _ body: @Sendable (PluginHarness.Network, StreamProbe, CreatedKey) async throws -> Void) async throws {
        let plugin = CounterStreamPlugin(chunkTimeout: Self.chunkTimeout)
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        configuration.dispatch.retries = 0
        try await PluginHarness.run(plugins: [plugin], miners: [LocalNetwork.MinerSpec(faults: faults)], configuration: configuration) { net in
            let key = try await net.createKey(KeyCreation(name: "streamer", credits: credits))
            try await body(net, plugin.probe, key)
        }
    }

    /// Opens a streamed counter request as a raw caller and checks that the stream began.
    func openStream(_ net: PluginHarness.Network, key: CreatedKey, _ request: CounterRequest, receiveBuffer: Int? = nil) async throws
        -> RawSSEClient {
        let port = try #require(URLComponents(string: net.publicURL)?.port)
        let client = try RawSSEClient(port: port, receiveBuffer: receiveBuffer)
        try client.post("/v1/counter", json: try JSONEncoder().encode(request), headers: ["X-API-Key": key.key])
        let head = try await client.head()
        #expect(head.status == 200)
        #expect(head.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        return client
    }

    /// The key once every reservation it holds is committed or released.
    func settledKey(_ net: PluginHarness.Network, _ key: CreatedKey) async throws -> KeyDetails {
        let keys = try #require(net.context.keys)
        let settled = try await eventually {
            let ledger = try await keys.show(id: key.record.id, ledgerLimit: 1_000).ledger ?? []
            let reservations = ledger.filter { $0.kind == .reservation }.count
            return reservations > 0 && ledger.filter { $0.kind == .commit || $0.kind == .release }.count == reservations
        }
        #expect(settled, "a reservation is still open")
        return try await keys.show(id: key.record.id, ledgerLimit: 1_000)
    }

    /// The usage log's totals for the key today: requests, and units consumed.
    func usage(_ net: PluginHarness.Network, _ key: CreatedKey) async throws -> (requests: Int, chunks: Int) {
        let report = try #require(try await net.context.keys?.usage(id: key.record.id, days: 1))
        return (report.days.reduce(0) { $0 + $1.requests }, report.days.reduce(0) { $0 + ($1.units[CounterEndpoint.unit] ?? 0) })
    }

    /// The one miner's result in the stored counter round.
    func roundResult(_ net: PluginHarness.Network) async throws -> MinerRoundResult {
        var rounds: [RoundRecord] = []
        let stored = try await eventually {
            rounds = try await net.context.store.recentRounds(limit: 100).filter { $0.endpoint == "counter" }
            return !rounds.isEmpty
        }
        #expect(stored, "no round was stored")
        #expect(rounds.count == 1)
        let round = try #require(rounds.first)
        #expect(round.results.count == 1)
        return try #require(round.results.first)
    }

    static func chunk(_ event: RawSSEClient.Event?) throws -> CounterChunk {
        try JSONDecoder().decode(CounterChunk.self, from: Data(try #require(event).data))
    }

    static func errorCode(_ event: RawSSEClient.Event?) throws -> String {
        struct Envelope: Decodable {
            struct Detail: Decodable { var code: String }
            var error: Detail
        }
        return try JSONDecoder().decode(Envelope.self, from: Data(try #require(event).data)).error.code
    }

    // MARK: Miner faults

    @Test("a miner that stalls: the caller gets the chunks so far, a miner_timeout event and the end, pays nothing; the miner scores 0")
    func stalledMiner() async throws {
        try await withCounterNetwork(faults: .alwaysStalls) { net, _, key in
            let client = try await openStream(net, key: key, CounterRequest(count: 10))
            #expect(try Self.chunk(try await client.nextEvent()).n == 0)
            #expect(try Self.chunk(try await client.nextEvent()).n == 1)
            let silenceBegan = ContinuousClock.now
            // The reference miner stays silent for an hour: only the chunk timeout ends this.
            #expect(try Self.errorCode(try await client.nextEvent()) == "miner_timeout")
            #expect(try await client.nextEvent() == nil)
            #expect(client.bodyComplete, "the response ends with its last chunk, not a dropped connection")
            // Generous for a busy machine, yet far below the endpoint's 30 s timeout.
            #expect(ContinuousClock.now - silenceBegan < Self.chunkTimeout + .seconds(8))

            let result = try await roundResult(net)
            #expect(result.outcome == "stream_stalled")
            #expect(result.score == 0)
            let details = try await settledKey(net, key)
            #expect(details.balance == key.balance)
            #expect(details.ledger?.contains { $0.kind == .commit } == false)
            #expect(try await usage(net, key).chunks == 0)
        }
    }

    @Test("a miner that closes mid-stream: the caller gets the chunks so far, a miner_failed event and the end, pays nothing; the miner scores 0")
    func truncatedMiner() async throws {
        try await withCounterNetwork(faults: .alwaysTruncates) { net, _, key in
            let client = try await openStream(net, key: key, CounterRequest(count: 10))
            // The fault sends the first half and closes without the end marker.
            for n in 0..<5 { #expect(try Self.chunk(try await client.nextEvent()).n == n) }
            #expect(try Self.errorCode(try await client.nextEvent()) == "miner_failed")
            #expect(try await client.nextEvent() == nil)
            #expect(client.bodyComplete)

            let result = try await roundResult(net)
            #expect(result.outcome == "stream_truncated")
            #expect(result.score == 0)
            let details = try await settledKey(net, key)
            #expect(details.balance == key.balance)
            #expect(try await usage(net, key).chunks == 0)
        }
    }

    // MARK: Caller faults

    @Test("a caller that hangs up mid-stream: the node hangs up on the miner, does not score it, and charges the chunks written")
    func callerLeaves() async throws {
        try await withCounterNetwork { net, probe, key in
            let count = 1_000
            // 20 ms between chunks: the whole answer would take 20 s, and the caller has read
            // (almost) everything the node wrote by the time it leaves.
            let client = try await openStream(net, key: key, CounterRequest(count: count, delayMs: 20))
            let read = 5
            for n in 0..<read { #expect(try Self.chunk(try await client.nextEvent()).n == n) }
            client.close()

            // The miner's server stopped consuming its stream long before the end.
            #expect(try await eventually(timeout: .seconds(10)) { probe.streams.first?.released == true })
            let stream = try #require(probe.streams.first)
            #expect(!stream.finished)
            #expect(stream.produced < read + 100, "the miner ran on after the caller left: \(stream.produced) chunks")

            let result = try await roundResult(net)
            #expect(result.outcome == "abandoned")
            #expect(result.score == nil)

            let details = try await settledKey(net, key)
            let charged = key.balance.millis - details.balance.millis
            #expect(charged % Self.price.millis == 0)
            let chunksCharged = Int(charged / Self.price.millis)
            // The node may have written a few chunks the caller never read; never more than it held.
            #expect(chunksCharged >= read && chunksCharged <= read + ChunkRelay<CounterChunk>().capacity, "charged for \(chunksCharged) chunks")
            #expect(chunksCharged < count)
            let logged = try await usage(net, key)
            #expect(logged.requests == 1)
            #expect(logged.chunks == chunksCharged)
        }
    }

    @Test("a caller that stops reading holds the miner back, longer than the chunk timeout, then receives every chunk in order")
    func slowCaller() async throws {
        let count = 1_000_000
        try await withCounterNetwork(credits: 20_000) { net, probe, key in
            // About 100 bytes per event; a small socket buffer on the caller's side keeps what
            // the kernel holds for it small next to the answer.
            let client = try await openStream(net, key: key, CounterRequest(count: count, padding: 80), receiveBuffer: 16 << 10)
            #expect(try Self.chunk(try await client.nextEvent()).n == 0)
            let rssBefore = Self.residentBytes()

            // Three chunk timeouts without reading: the watchdog must not blame the miner.
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(250))
                print("DIAG produced \(probe.streams.first?.produced ?? -1) rss \(Self.residentBytes() >> 20)")
            }
            let produced = try #require(probe.streams.first).produced
            let rssAfter = Self.residentBytes()
            print("produced during pause: \(produced), rss +\((rssAfter - rssBefore) >> 20) MiB")
            #expect(produced < count / 4, "the miner ran ahead of the caller by \(produced) chunks")

            var expected = 1
            while let event = try await client.nextEvent() {
                if event.data == Array("[DONE]".utf8) { break }
                guard Self.counterValue(event.data) == expected else {
                    Issue.record("chunk \(expected) arrived as \(event.text.prefix(40))")
                    return
                }
                expected += 1
            }
            #expect(expected == count)
            #expect(try await client.nextEvent() == nil)
            #expect(client.bodyComplete)
            #expect(probe.streams.first?.finished == true)

            let result = try await roundResult(net)
            #expect(result.outcome == "answered")
            #expect(result.score == 1)
            let details = try await settledKey(net, key)
            #expect(key.balance.millis - details.balance.millis == Int64(count) * Self.price.millis)
        }
    }

    // MARK: Whole answers on a streaming endpoint

    @Test("a caller that does not ask for a stream gets one JSON body assembled from the miner's chunks, and pays for them")
    func wholeCaller() async throws {
        try await withCounterNetwork { net, _, key in
            let request = CounterRequest(count: 50, stream: false)
            let reply = try await net.anonymousClient.send("POST", net.publicURL + "/v1/counter", body: try JSONEncoder().encode(request),
                                                           headers: ["X-API-Key": key.key])
            #expect(reply.status == 200)
            #expect(reply.header("content-type")?.hasPrefix("application/json") == true)
            #expect(try reply.decode(CounterResponse.self).values == Array(0..<50))

            let result = try await roundResult(net)
            #expect(result.outcome == "answered")
            #expect(result.score == 1)
            let details = try await settledKey(net, key)
            #expect(key.balance.millis - details.balance.millis == 50 * Self.price.millis)
            #expect(try await usage(net, key).chunks == 50)
        }
    }

    @Test("a caller that does not ask for a stream, from a miner that stalls, gets 504 miner_timeout and pays nothing")
    func wholeCallerStalledMiner() async throws {
        try await withCounterNetwork(faults: .alwaysStalls) { net, _, key in
            let request = CounterRequest(count: 10, stream: false)
            let reply = try await net.anonymousClient.send("POST", net.publicURL + "/v1/counter", body: try JSONEncoder().encode(request),
                                                           headers: ["X-API-Key": key.key])
            #expect(reply.status == 504)
            #expect(reply.errorCode == "miner_timeout")
            #expect(try await roundResult(net).outcome == "stream_stalled")
            #expect(try await settledKey(net, key).balance == key.balance)
        }
    }

    // MARK: Small readers

    /// The `n` of a counter chunk's JSON, without a full decode (the slow-caller test reads 100k).
    static func counterValue(_ data: [UInt8]) -> Int? {
        let key = Array("\"n\":".utf8)
        guard let start = data.indices.first(where: { data[$0...].starts(with: key) }) else { return nil }
        var value = 0
        var index = start + key.count
        guard index < data.count, data[index] >= 48, data[index] <= 57 else { return nil }
        while index < data.count, data[index] >= 48, data[index] <= 57 {
            value = value * 10 + Int(data[index] - 48)
            index += 1
        }
        return value
    }

    /// This process's resident memory, from /proc (0 where there is none).
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes << 10
    }
}
