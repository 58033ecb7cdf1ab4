@testable import OrganicFramework
import OrganicTestKit
import PropertyBased
import Synchronization
import Testing

/// Runs `operation` in its own task and returns its result, or nil when it has not finished
/// within `limit` (the task is then left running: a hang must not hang the test too).
func finishes<T: Sendable>(within limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let outcome = OneShot<T?>()
    Task { outcome.fulfil(await operation()) }
    let timer = Task {
        try? await Task.sleep(for: limit)
        outcome.fulfil(nil)
    }
    let result = await outcome.value()
    timer.cancel()
    return result
}

@Suite("Chunk relay")
struct ChunkRelayTests {
    /// A pause of one side between two operations: none, a yield, or a short sleep.
    static func pause(_ kind: Int) async {
        switch kind {
        case 0: break
        case 1: await Task.yield()
        default: try? await Task.sleep(for: .microseconds(50 * kind))
        }
    }

    /// Counts shared by the producer and the consumer of one run.
    final class Counters: Sendable {
        /// Sends that returned true, and `next()` calls begun; checked together.
        private let state = Mutex<(sent: Int, asked: Int, worst: Int)>((0, 0, Int.min))
        func sent() { state.withLock { $0.sent += 1; $0.worst = max($0.worst, $0.sent - $0.asked) } }
        func asked() { state.withLock { $0.asked += 1 } }
        /// The largest number of chunks accepted beyond those the consumer had asked for.
        var worstBacklog: Int { state.withLock { $0.worst } }
        var sentCount: Int { state.withLock { $0.sent } }
    }

    enum Received: Equatable, Sendable {
        case chunk(Int)
        case completed
        case failed
    }

    @Test("with random producer and consumer speeds, every chunk sent before close arrives once, in order; the backlog never exceeds capacity")
    func randomSchedules() async {
        let schedule = Gen.int(in: 0...4).array(of: 0...50)
        await propertyCheck(count: 150, input: Gen.int(in: 1...5), Gen.int(in: 0...40), schedule, schedule, Gen.int(in: -1...45)) {
            capacity, count, producerPauses, consumerPauses, closeAfter in
            let relay = ChunkRelay<Int, String>(capacity: capacity)
            let counters = Counters()
            let run = await finishes(within: .seconds(20)) {
                async let produced: [Int] = {
                    var accepted: [Int] = []
                    for i in 0..<count {
                        await Self.pause(producerPauses.isEmpty ? 0 : producerPauses[i % producerPauses.count])
                        guard await relay.send(i) else { break }
                        counters.sent()
                        accepted.append(i)
                    }
                    relay.finish(.completed("answer"))
                    return accepted
                }()
                var received: [Received] = []
                var step = 0
                while closeAfter < 0 || received.count < closeAfter {
                    await Self.pause(consumerPauses.isEmpty ? 0 : consumerPauses[step % consumerPauses.count])
                    step += 1
                    counters.asked()
                    guard let item = await relay.next() else { break }
                    switch item {
                    case .chunks(let chunks, _):
                        #expect(chunks.count == 1, "each send was one chunk, and an item is one send")
                        received += chunks.map(Received.chunk)
                    case .end(.completed): received.append(.completed)
                    case .end(.failed): received.append(.failed)
                    }
                    if case .end = item { break }
                }
                relay.close()
                return (await produced, received)
            }
            guard let run else {
                Issue.record("producer or consumer hung (capacity \(capacity), \(count) chunks, close after \(closeAfter))")
                return
            }
            let (accepted, received) = run
            #expect(counters.worstBacklog <= capacity)
            let chunks = received.compactMap { if case .chunk(let n) = $0 { n } else { nil } }
            // In order, no gaps or repeats, and only what the producer had sent.
            #expect(chunks == Array(0..<chunks.count))
            #expect(chunks.count <= accepted.count)
            if closeAfter < 0 || closeAfter > count {
                // Nobody left early: everything arrives, then the end.
                #expect(accepted == Array(0..<count))
                #expect(received == chunks.map(Received.chunk) + [.completed])
            } else {
                #expect(received.count == closeAfter)
                #expect(accepted.count <= closeAfter + capacity, "sends after close return false")
            }
        }
    }

    @Test("a full relay holds exactly `capacity` chunks; the next send waits until one is read")
    func fullRelayWaits() async {
        let relay = ChunkRelay<Int, String>(capacity: 3)
        let counters = Counters()
        let producer = Task {
            for i in 0..<5 {
                guard await relay.send(i) else { return false }
                counters.sent()
            }
            return true
        }
        #expect(await eventually { counters.worstBacklog == 3 })
        try? await Task.sleep(for: .milliseconds(50))
        #expect(counters.worstBacklog == 3, "the fourth send waits")
        counters.asked()
        guard case .chunks([0], _) = await relay.next() else { Issue.record("expected chunk 0"); return }
        #expect(await eventually { counters.worstBacklog == 3 && counters.sentCount == 4 })
        relay.close()
        #expect(await finishes(within: .seconds(10)) { await producer.value } == false)
    }

    @Test("close() makes a waiting send and every later send return false at once, and next() return nil")
    func closeReleasesProducer() async {
        let relay = ChunkRelay<Int, String>(capacity: 1)
        #expect(relay.claim())
        #expect(!relay.claim(), "only one producer claims the caller's stream")
        #expect(await relay.send(0))
        let blocked = Task { await relay.send(1) }
        try? await Task.sleep(for: .milliseconds(20))
        relay.close()
        #expect(await finishes(within: .seconds(10)) { await blocked.value } == false)
        #expect(await finishes(within: .seconds(10)) { await relay.send(2) } == false)
        #expect(await finishes(within: .seconds(10)) { await relay.next() == nil } == true)
        #expect(relay.isClosed)
        let fresh = ChunkRelay<Int, String>()
        fresh.close()
        #expect(!fresh.claim(), "a caller that already left is not claimed")
    }

    @Test("cancelling a send waiting for room returns false promptly; the relay stays usable for the consumer")
    func cancelWaitingSend() async {
        let relay = ChunkRelay<Int, String>(capacity: 1)
        #expect(await relay.send(0))
        let blocked = Task { await relay.send(1) }
        try? await Task.sleep(for: .milliseconds(20))
        blocked.cancel()
        #expect(await finishes(within: .seconds(10)) { await blocked.value } == false)
        guard case .chunks([0], _) = await relay.next() else { Issue.record("the queued chunk is still delivered"); return }
        relay.finish(.completed("answer"))
        guard case .end(.completed(let answer)) = await relay.next() else { Issue.record("expected the end"); return }
        #expect(answer == "answer", "the assembled answer travels with the end")
    }

    @Test("cancelling a next() waiting for a chunk returns nil promptly and closes the relay for the producer")
    func cancelWaitingNext() async {
        let relay = ChunkRelay<Int, String>(capacity: 2)
        let consumer = Task { await relay.next() == nil }
        try? await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(await finishes(within: .seconds(10)) { await consumer.value } == true)
        #expect(await finishes(within: .seconds(10)) { await relay.send(1) } == false)
    }

    @Test("a batch (one read's events) is handed over as one item: a waiting consumer gets all of it, a queued batch stays whole and in order, and a full relay holds the next batch back")
    func batchSend() async {
        let relay = ChunkRelay<Int, String>(capacity: 2)
        let consumer = Task { await relay.next() }
        // The consumer is waiting once send(contentsOf:) finds it; until then the batch queues.
        try? await Task.sleep(for: .milliseconds(20))
        #expect(await relay.send(contentsOf: [0, 1, 2, 3]))
        guard case .chunks([0, 1, 2, 3], _)?? = await finishes(within: .seconds(10), { await consumer.value }) else {
            Issue.record("the waiting consumer receives the whole batch")
            return
        }
        // A batch of three queues in an empty relay, beyond its capacity of two: the next batch
        // waits for room.
        #expect(await relay.send(contentsOf: [1, 2, 3]))
        let blocked = Task { await relay.send(contentsOf: [4, 5]) }
        try? await Task.sleep(for: .milliseconds(20))
        var items: [Int] = []
        var taken: [ChunkRelay<Int, String>.Item] = []
        relay.takeAvailable(into: &taken, limit: 64)
        #expect(taken.count == 1)
        items += taken.flatMap(\.chunks)
        #expect(items == [1, 2, 3], "the batch stayed together and in order; the blocked one is not queued")
        #expect(await finishes(within: .seconds(10)) { await blocked.value } == true)
        if case .chunks(let chunks, _)? = await relay.next() { items += chunks }
        #expect(items == [1, 2, 3, 4, 5])
        #expect(await relay.send(contentsOf: [Int]()), "an empty batch to an open relay is a no-op")
        relay.close()
        #expect(await relay.send(contentsOf: [6, 7]) == false)
    }

    @Test("finish() is delivered after the queued chunks even when the relay is full, and only once")
    func finishAfterChunks() async {
        let relay = ChunkRelay<Int, String>(capacity: 2)
        #expect(await relay.send(0))
        #expect(await relay.send(1))
        relay.finish(.failed(.stalled))
        relay.finish(.completed("answer"))
        #expect(await relay.send(2) == false, "nothing is sent after the end")
        var items: [String] = []
        for _ in 0..<3 {
            switch await relay.next() {
            case .chunks(let chunks, _)?: items += chunks.map { "\($0)" }
            case .end(.failed(let failure))?: items.append("failed:\(failure.label)")
            case .end(.completed)?: items.append("completed")
            case nil: items.append("nil")
            }
        }
        #expect(items == ["0", "1", "failed:\(MinerFailure.stalled.label)"])
    }
}
