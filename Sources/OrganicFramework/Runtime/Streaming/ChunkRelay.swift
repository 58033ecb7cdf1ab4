import DequeModule
import NIOCore
import Synchronization

/// Hands a miner's streamed chunks to the caller's response writer, at most `capacity` at a
/// time: when the caller reads slowly the miner's side waits (and so stops reading from the
/// miner's socket), so a slow caller never makes the node buffer without bound.
///
/// Chunks travel in the batches they were sent in (the events of one read from the miner): the
/// relay's code is generic over the plugin's chunk type and runs unspecialized, so every queue
/// operation costs runtime type lookups, and one per chunk was a quarter of what relaying a token
/// cost the node.
///
/// One producer (the round attempt that claimed the caller) and one consumer (the response body
/// writer). Either side may end it: the producer with ``finish(_:)``, the consumer with
/// ``close()`` (the caller left), which makes every later ``send(_:)`` return false.
///
/// A completed stream hands over the answer the producer assembled from the chunks (`Answer`),
/// so the writer does not assemble it again for the closing events and the charge.
///
/// When the endpoint declares ``Endpoint/callerChunkEdits(for:caller:)``, the producer also
/// writes each chunk's caller event (the miner's text with the edits spliced in) while it still
/// holds the parsed text, and the batch carries those events, framed, beside the chunks.
final class ChunkRelay<Chunk: Sendable, Answer: Sendable>: Sendable {
    /// How the stream ended, for the caller.
    enum Ending: Sendable {
        /// The miner's stream completed; its chunks assembled into this valid answer.
        case completed(Answer)
        /// The miner failed mid-stream; the caller receives an error event.
        case failed(MinerFailure)
    }

    enum Item: Sendable {
        /// The chunks of one send, in order, never empty; with their caller events (Server-Sent
        /// Events, ready to write) when the relay has ``callerEdits``, else nil.
        case chunks([Chunk], events: ByteBuffer?)
        case end(Ending)

        var chunks: [Chunk] {
            if case .chunks(let chunks, _) = self { return chunks }
            return []
        }
    }

    private struct State {
        var buffer = Deque<Item>()
        /// Chunks in `buffer`.
        var queued = 0
        var ended = false
        var closed = false
        var claimed = false
        var producer: CheckedContinuation<Bool, Never>?
        var consumer: CheckedContinuation<Item?, Never>?

        mutating func popFirst() -> Item? {
            guard let item = buffer.popFirst() else { return nil }
            if case .chunks(let chunks, _) = item { queued -= chunks.count }
            return item
        }
    }

    let capacity: Int
    /// The edits that make a caller's event from a miner's event text; nil when the caller's
    /// events are encoded from ``Endpoint/callerChunk(_:index:for:caller:)``.
    let callerEdits: JSONEdits?
    private let state = Mutex(State())

    private enum SendStep { case queued(handOver: CheckedContinuation<Item?, Never>?), gone, wait }
    private enum NextStep { case item(Item, CheckedContinuation<Bool, Never>?), none, wait }

    init(capacity: Int = 16, callerEdits: JSONEdits? = nil) {
        self.capacity = max(capacity, 1)
        self.callerEdits = callerEdits
    }

    /// Makes the caller's stream this producer's, once: the first miner whose stream starts wins.
    func claim() -> Bool {
        state.withLock { state in
            guard !state.claimed, !state.closed else { return false }
            state.claimed = true
            return true
        }
    }

    /// Whether the consumer has gone.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Queues a chunk, waiting while `capacity` chunks are unread. False when the caller has gone
    /// (the chunk is dropped) or the task was cancelled.
    func send(_ chunk: Chunk) async -> Bool {
        await send(contentsOf: [chunk])
    }

    /// Queues `chunks` together (the events of one read from the miner), waiting while `capacity`
    /// chunks are unread: one item and one hand-over for the lot, so a miner that writes many
    /// events at once costs one wake-up of the writer, not one per event. The queue may exceed
    /// `capacity` by one batch, which one read bounds. `events` are the chunks' caller events
    /// when the relay has ``callerEdits`` (one per chunk), else nil. False when the caller has
    /// gone or the task was cancelled.
    func send(contentsOf chunks: some Collection<Chunk>, events: ByteBuffer? = nil) async -> Bool {
        guard !chunks.isEmpty else { return !isClosed }
        return await send(batch: Array(chunks), events: events)
    }

    private func send(batch: [Chunk], events: ByteBuffer?) async -> Bool {
        let step: SendStep = state.withLock { state in
            if state.closed || state.ended { return .gone }
            if let consumer = state.consumer {
                // A waiting consumer means an empty queue: it takes the batch.
                state.consumer = nil
                return .queued(handOver: consumer)
            }
            guard state.queued < capacity else { return .wait }
            state.buffer.append(.chunks(batch, events: events))
            state.queued += batch.count
            return .queued(handOver: nil)
        }
        switch step {
        case .gone: return false
        case .queued(let consumer):
            consumer?.resume(returning: .chunks(batch, events: events))
            return true
        case .wait: break
        }
        // Full: wait for the consumer to take one (or leave), then queue.
        let room = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow: Bool? = state.withLock { state in
                    if state.closed || Task.isCancelled { return false }
                    if state.queued < capacity { return true }
                    state.producer = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            let waiting = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                defer { state.producer = nil }
                return state.producer
            }
            waiting?.resume(returning: false)
        }
        guard room else { return false }
        return await send(batch: batch, events: events)
    }

    /// Ends the stream; the consumer receives `ending` after the chunks already queued. Never
    /// waits (the end may exceed the capacity by one). Later calls are ignored.
    func finish(_ ending: Ending) {
        let consumer: CheckedContinuation<Item?, Never>? = state.withLock { state in
            guard !state.ended, !state.closed else { return nil }
            state.ended = true
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer
            }
            state.buffer.append(.end(ending))
            return nil
        }
        consumer?.resume(returning: .end(ending))
    }

    /// The next item (one send's chunks, or the end), waiting for one; nil once the relay is
    /// closed or the task is cancelled.
    func next() async -> Item? {
        let step: NextStep = state.withLock { state in
            if state.closed { return .none }
            if let item = state.popFirst() {
                let producer = state.producer
                state.producer = nil
                return .item(item, producer)
            }
            return .wait
        }
        switch step {
        case .item(let item, let producer):
            producer?.resume(returning: true)
            return item
        case .none:
            return nil
        case .wait:
            return await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
                    let ready: (Item?, CheckedContinuation<Bool, Never>?)? = state.withLock { state in
                        if state.closed || Task.isCancelled { return (nil, nil) }
                        if let item = state.popFirst() {
                            let producer = state.producer
                            state.producer = nil
                            return (item, producer)
                        }
                        state.consumer = continuation
                        return nil
                    }
                    if let ready {
                        ready.1?.resume(returning: true)
                        continuation.resume(returning: ready.0)
                    }
                }
            } onCancel: {
                close()
            }
        }
    }

    /// Moves up to `limit` items (sends' batches, or the end) that are already queued into
    /// `items`, without waiting, and lets a producer waiting for room go on.
    func takeAvailable(into items: inout [Item], limit: Int) {
        let producer: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            var taken = 0
            while taken < limit, let item = state.popFirst() {
                items.append(item)
                taken += 1
            }
            guard taken > 0 else { return nil }
            defer { state.producer = nil }
            return state.producer
        }
        producer?.resume(returning: true)
    }

    /// The consumer is gone: drop what is queued and release a waiting producer.
    func close() {
        let (producer, consumer): (CheckedContinuation<Bool, Never>?, CheckedContinuation<Item?, Never>?) = state.withLock { state in
            state.closed = true
            state.buffer.removeAll()
            state.queued = 0
            defer {
                state.producer = nil
                state.consumer = nil
            }
            return (state.producer, state.consumer)
        }
        producer?.resume(returning: false)
        consumer?.resume(returning: nil)
    }
}
