import Foundation
@testable import OrganicFramework
@testable import OrganicMinerKit
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
    func withCounterNetwork(faults: MinerFaults = .none, capacity: Int = 16, credits: Double = 100, timeout: Duration = .seconds(30),
                            _ body: @Sendable (PluginHarness.Network, StreamProbe, CreatedKey) async throws -> Void) async throws {
        let plugin = CounterStreamPlugin(chunkTimeout: Self.chunkTimeout, timeout: timeout)
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        configuration.dispatch.retries = 0
        try await PluginHarness.run(plugins: [plugin], miners: [LocalNetwork.MinerSpec(faults: faults, capacity: capacity)], configuration: configuration) { net in
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

    /// The key once its request is settled: logged, and nothing held any more.
    func settledKey(_ net: PluginHarness.Network, _ key: CreatedKey) async throws -> KeyDetails {
        let keys = try #require(net.context.keys)
        let settled = try await eventually {
            let held = try await keys.show(id: key.record.id, ledgerLimit: 0).held
            return try await usage(net, key).requests > 0 && held == .zero
        }
        #expect(settled, "the request is not settled")
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
            // The reference miner falls silent after two chunks: only the chunk timeout ends this.
            #expect(try Self.errorCode(try await client.nextEvent()) == "miner_timeout")
            #expect(try await client.nextEvent() == nil)
            #expect(client.bodyComplete, "the response ends with its last chunk, not a dropped connection")
            // Generous for a busy machine, yet far below the endpoint's 30 s timeout.
            #expect(ContinuousClock.now - silenceBegan < Self.chunkTimeout + .seconds(8))

            let result = try await roundResult(net)
            #expect(result.outcome == .streamStalled)
            #expect(result.score == 0)
            let details = try await settledKey(net, key)
            #expect(details.balance == key.balance)
            #expect(details.ledger?.contains { $0.kind == .charge } == false)
            #expect(try await usage(net, key).chunks == 0)
        }
    }

    @Test("a stalled reference miner frees its slot once the node gives up, so the next request reaches it")
    func stalledMinerFreesItsSlot() async throws {
        try await withCounterNetwork(faults: .alwaysStalls, capacity: 1) { net, _, key in
            for attempt in 0..<2 {
                let client = try await openStream(net, key: key, CounterRequest(count: 10))
                #expect(try Self.chunk(try await client.nextEvent()).n == 0, "attempt \(attempt)")
                #expect(try Self.chunk(try await client.nextEvent()).n == 1, "attempt \(attempt)")
                #expect(try Self.errorCode(try await client.nextEvent()) == "miner_timeout", "attempt \(attempt)")
                #expect(try await client.nextEvent() == nil)
            }
            let rounds = try await net.waitForRounds(atLeast: 2).filter { $0.endpoint == "counter" }
            #expect(rounds.flatMap(\.results).map(\.outcome) == [.streamStalled, .streamStalled])
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
            #expect(result.outcome == .streamTruncated)
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
            #expect(await eventually(timeout: .seconds(10)) { probe.streams.first?.released == true })
            let stream = try #require(probe.streams.first)
            #expect(!stream.finished)
            #expect(stream.produced < read + 100, "the miner ran on after the caller left: \(stream.produced) chunks")

            let result = try await roundResult(net)
            #expect(result.outcome == .abandoned)
            #expect(result.score == nil)

            let details = try await settledKey(net, key)
            let charged = key.balance.millis - details.balance.millis
            #expect(charged % Self.price.millis == 0)
            let chunksCharged = Int(charged / Self.price.millis)
            // The node may have written a few chunks that the caller had not read when it left.
            #expect(chunksCharged >= read && chunksCharged <= read + ChunkRelay<CounterChunk, CounterChunk>().capacity, "charged for \(chunksCharged) chunks")
            #expect(chunksCharged < count)
            let logged = try await usage(net, key)
            #expect(logged.requests == 1)
            #expect(logged.chunks == chunksCharged)
        }
    }

    @Test("a caller that stops reading holds the miner back, for longer than the chunk timeout, with little held in between; then gets every chunk")
    func slowCaller() async throws {
        // Small events make many writes per byte, the case where a writer can outrun its event
        // loop; 40k of them are 19 MB, more than loopback socket buffers take in.
        let count = 40_000
        let padding = 400
        try await withCounterNetwork(credits: 2_000) { net, probe, key in
            let client = try await openStream(net, key: key, CounterRequest(count: count, padding: padding), receiveBuffer: 16 << 10)
            #expect(try Self.chunk(try await client.nextEvent()).n == 0)
            let nodePort = try #require(URLComponents(string: net.publicURL)?.port)
            let minerPort = try #require(URLComponents(string: net.context.minerURLs[0])?.port)

            // Not reading, for three chunk timeouts. Every byte the miner produced has been read
            // by the caller, waits in a socket, or is held by the node or the miner: that last
            // part must stay small however long the caller waits.
            let clock = ContinuousClock()
            let pauseBegan = clock.now
            var largestHeld = 0
            var samples = 0
            while clock.now - pauseBegan < Self.chunkTimeout * 3 {
                try await Task.sleep(for: .milliseconds(100))
                let produced = probe.streams.first?.produced ?? 0
                // Both ends of the caller's connection and of the node's connection to the miner.
                guard let queued = SocketQueues.queuedBytes(ports: [nodePort, minerPort]), queued.sockets == 4 else { continue }
                samples += 1
                largestHeld = max(largestHeld, Self.wireBytes(chunks: produced, padding: padding) - queued.bytes - client.bytesReceived)
            }
            #expect(probe.streams.first?.finished == false, "the whole answer fitted in the sockets: nothing was held back")
            #if os(Linux)
            #expect(samples > 0, "no complete view of the sockets")
            #endif
            #expect(largestHeld < 1 << 20, "\(largestHeld >> 10) KiB held in processes for a caller that did not read")

            var expected = 1
            let decoder = JSONDecoder()
            while let event = try await client.nextEvent() {
                if event.data == Array("[DONE]".utf8) { break }
                guard (try? decoder.decode(CounterChunk.self, from: Data(event.data)))?.n == expected else {
                    Issue.record("chunk \(expected) arrived as \(event.text.prefix(80))")
                    return
                }
                expected += 1
            }
            #expect(expected == count)
            #expect(try await client.nextEvent() == nil)
            #expect(client.bodyComplete)
            #expect(probe.streams.first?.finished == true)

            // The pause did not count against the miner.
            let result = try await roundResult(net)
            #expect(result.outcome == .answered)
            #expect(result.score == 1)
            let details = try await settledKey(net, key)
            #expect(key.balance.millis - details.balance.millis == Int64(count) * Self.price.millis)
        }
    }

    @Test("a caller that holds the stream without reading for longer than the endpoint's timeout lets the miner go, unscored")
    func callerHoldsTooLong() async throws {
        try await withCounterNetwork(credits: 2_000, timeout: .seconds(2)) { net, probe, key in
            let client = try await openStream(net, key: key, CounterRequest(count: 40_000, padding: 400), receiveBuffer: 16 << 10)
            #expect(try Self.chunk(try await client.nextEvent()).n == 0)
            // Not reading: once the caller has held the stream for the timeout, the node closes
            // its connection to the miner instead of holding the miner's slot for the caller.
            #expect(await eventually(timeout: .seconds(15)) { probe.streams.first?.released == true })
            #expect(probe.streams.first?.finished == false)
            let result = try await roundResult(net)
            #expect(result.outcome == .abandoned)
            #expect(result.score == nil)
            client.close()
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
            #expect(result.outcome == .answered)
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
            #expect(try await roundResult(net).outcome == .streamStalled)
            #expect(try await settledKey(net, key).balance == key.balance)
        }
    }

    // MARK: Helpers for the slow caller

    /// Bytes of the first `chunks` counter events on the wire (HTTP chunk framing included), as
    /// the miner writes them and as the node writes them again.
    static func wireBytes(chunks: Int, padding: Int) -> Int {
        let first = (try? JSONEncoder().encode(CounterChunk(n: 0, pad: String(repeating: "x", count: padding))).count) ?? 0
        var total = 0
        var digits = 1
        var nextPower = 10
        for n in 0..<chunks {
            if n == nextPower {
                digits += 1
                nextPower *= 10
            }
            let event = "data: ".count + first + digits - 1 + 2
            total += String(event, radix: 16).count + 2 + event + 2
        }
        return total
    }
}
