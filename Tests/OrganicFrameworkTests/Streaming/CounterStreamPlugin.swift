import Foundation
import OrganicFramework
import Synchronization

/// A test-only streaming subnet: the miner counts from 0, one chunk per number, so a test can
/// tell exactly which chunks a caller received and what it should have paid.
struct CounterStreamPlugin: SubnetPlugin {
    static let name = "counter-stream"

    let endpoint: CounterEndpoint
    /// What the reference miners of this plugin instance did; one per test network.
    let probe: StreamProbe

    init(configuration: EmptyPluginConfiguration) throws {
        self.init(chunkTimeout: .milliseconds(500))
    }

    init(chunkTimeout: Duration, timeout: Duration = .seconds(30), probe: StreamProbe = StreamProbe()) {
        endpoint = CounterEndpoint(chunkTimeout: chunkTimeout, timeout: timeout)
        self.probe = probe
    }

    var endpoints: [any Endpoint] { [endpoint] }

    func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] {
        [CounterMiner(endpoint: endpoint, probe: probe)]
    }
}

struct CounterRequest: Codable, Sendable {
    var count: Int
    /// Pause before every chunk after the first.
    var delayMs: Int?
    /// Characters of filler per chunk, to reach a realistic event size.
    var padding: Int?
    /// nil streams to the caller.
    var stream: Bool?
}

struct CounterChunk: Codable, Sendable, Equatable {
    var n: Int
    var pad: String?
}

struct CounterResponse: Codable, Sendable, Equatable {
    var values: [Int]
}

struct CounterEndpoint: Endpoint {
    typealias Request = CounterRequest
    typealias Response = CounterResponse
    typealias MinerChunk = CounterChunk
    typealias CallerChunk = CounterChunk

    static let unit = "chunks"
    static let unitPrice = 0.01

    let chunkTimeout: Duration
    let timeout: Duration

    var descriptor: EndpointDescriptor {
        EndpointDescriptor(name: "counter", summary: "Counts from 0, one streamed chunk per number.", timeout: timeout, price: 0,
                           unitPrices: [Self.unit: Self.unitPrice], scoring: .organicOnly, rewardMode: .verification,
                           maxResponseBytes: 256 << 20, streaming: StreamingSettings(chunkTimeout: chunkTimeout, endMarker: "[DONE]"))
    }

    func validate(_ request: CounterRequest) throws(RequestValidationError) {
        try FieldCheck.range(request.count, 1...1_000_000, field: "count")
    }

    func makeSyntheticRequest(context: inout SyntheticContext) -> CounterRequest? { nil }

    func reward(_ round: ScoringRound<CounterRequest, CounterResponse>) async -> RewardVerdict {
        .rewards(round.answers.map { MinerReward(score: $0.response.values == Array(0..<round.request.count) ? 1 : 0) })
    }

    func validate(response: CounterResponse, for request: CounterRequest) throws(ResponseValidationError) {
        guard response.values == Array(0..<request.count) else { throw ResponseValidationError("the count is wrong") }
    }

    func streamsToCaller(_ request: CounterRequest) -> Bool { request.stream ?? true }

    func assemble(_ chunks: [CounterChunk], for request: CounterRequest) throws(ResponseValidationError) -> CounterResponse {
        CounterResponse(values: chunks.map(\.n))
    }

    func callerChunk(_ chunk: CounterChunk, index: Int, for request: CounterRequest, caller: CounterRequest) -> CounterChunk? { chunk }

    func maximumUsage(of request: CounterRequest) -> Usage { Usage([Self.unit: request.count]) }

    func usage(of response: CounterResponse, for request: CounterRequest, caller: CounterRequest) -> Usage {
        Usage([Self.unit: response.values.count])
    }
}

/// Streams `count` chunks, producing each only when the server asks for it, so the number
/// produced shows how far backpressure let the miner run ahead of the caller.
struct CounterMiner: MinerHandler {
    let endpoint: CounterEndpoint
    let probe: StreamProbe

    func stream(_ request: CounterRequest, context: MinerContext) -> AsyncThrowingStream<CounterChunk, any Error> {
        // Freed with the stream (the pull-based form has no onTermination): when the server
        // stops consuming it, because the answer is complete or its connection to the node closed.
        let state = CounterStreamState(probe: probe)
        let pad = request.padding.map { String(repeating: "x", count: $0) }
        return AsyncThrowingStream {
            let n = state.next.load(ordering: .relaxed)
            guard n < request.count else {
                state.probe.finished(state.index)
                return nil
            }
            if n > 0, let delay = request.delayMs, delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
            state.next.store(n + 1, ordering: .relaxed)
            state.probe.produced(state.index)
            return CounterChunk(n: n, pad: pad)
        }
    }
}

/// What each stream served by a ``CounterMiner`` did, in the order the streams began.
final class StreamProbe: Sendable {
    struct Record: Sendable, Equatable {
        /// Chunks handed to the miner's HTTP server.
        var produced = 0
        /// The last chunk was produced.
        var finished = false
        /// The server let go of the stream (answer written, or connection gone).
        var released = false
    }

    private let records = Mutex<[Record]>([])

    var streams: [Record] { records.withLock { $0 } }

    func begin() -> Int {
        records.withLock {
            $0.append(Record())
            return $0.count - 1
        }
    }

    func produced(_ index: Int) { records.withLock { $0[index].produced += 1 } }
    func finished(_ index: Int) { records.withLock { $0[index].finished = true } }
    func released(_ index: Int) { records.withLock { $0[index].released = true } }
}

/// One counter stream's position; tells the probe when the stream is freed.
final class CounterStreamState: Sendable {
    let probe: StreamProbe
    let index: Int
    let next = Atomic<Int>(0)

    init(probe: StreamProbe) {
        self.probe = probe
        index = probe.begin()
    }

    deinit { probe.released(index) }
}
