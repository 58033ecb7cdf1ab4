import Foundation
import NIOCore
import Synchronization

/// Reads a miner's Server-Sent Events answer: decodes each event's data as one chunk, hands it
/// on as it arrives, and cuts the miner off when it falls silent (chunk timeout), runs past the
/// endpoint's timeout or exceeds the size limit.
///
/// Time spent waiting for a slow caller to take a chunk is not the miner's: the watchdog pauses
/// while `onChunk` waits, and that time does not count against the timeout.
struct MinerEventStreamReader<Chunk: Decodable & Sendable>: Sendable {
    var chunkTimeout: Duration
    var timeout: Duration
    var maxBytes: Int
    /// The `data:` payload that ends the stream; nil when the stream simply ends.
    var endMarker: String?
    /// When set, each chunk's caller event is written from its text with these edits, from the
    /// same parse that decodes it.
    var callerEdits: JSONEdits? = nil

    /// What the stream produced.
    struct Outcome: Sendable {
        var chunks: [Chunk] = []
        var bytes = 0
        /// Time from the start of the attempt to the first chunk.
        var firstChunk: Duration?
        /// Time from the start of the attempt to the end of the stream, less the time the caller held it up.
        var elapsed: Duration = .zero
        /// Why the stream is unusable; nil when it completed.
        var failure: MinerFailure?
        /// The caller left, and reading stopped on its behalf: not the miner's fault.
        var abandoned = false
    }

    /// What the reader does after a read's chunks were handed over.
    enum Reception: Sendable {
        /// Read on.
        case more
        /// Read on, without making caller events: this stream does not feed the caller.
        case moreWithoutEvents
        /// Stop reading: the caller left.
        case stop
    }

    /// Reads `stream` to its end. `started` is when the request was sent; `onChunks` is called with
    /// the chunks decoded from each read, in order, and their caller events as Server-Sent Events
    /// (nil without ``callerEdits``), and says whether to read on.
    func read(_ stream: MinerResponseStream, started: ContinuousClock.Instant,
              onChunks: @escaping @Sendable (ArraySlice<Chunk>, ByteBuffer?) async -> Reception) async -> Outcome {
        let watch = StreamWatch(started: started)
        let limits = self
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await limits.consume(stream, watch: watch, onChunks: onChunks) }
            group.addTask { await limits.watchdog(watch) }
            // The first to finish decides: the reader with its outcome, or the watchdog with a
            // failure; the other is cancelled, which closes the miner's connection.
            var result = Outcome(failure: .timeout)
            if let first = await group.next() {
                group.cancelAll()
                if let first {
                    result = first
                } else {
                    // The watchdog fired: keep the failure it recorded, and what was read so far.
                    if let partial = await group.next() ?? nil { result = partial }
                    switch watch.verdict {
                    case .miner(let failure)?:
                        result.failure = failure
                        result.abandoned = false
                    case .callerTooSlow?:
                        // Not the miner's fault; the miner is let go rather than held for the caller.
                        result.failure = nil
                        result.abandoned = true
                    case nil:
                        result.failure = .timeout
                    }
                }
            }
            result.elapsed = watch.elapsed()
            return result
        }
    }

    private func consume(_ stream: MinerResponseStream, watch: StreamWatch,
                         onChunks: @Sendable (ArraySlice<Chunk>, ByteBuffer?) async -> Reception) async -> Outcome? {
        var outcome = Outcome()
        var parser = ServerSentEventParser(maximumEventSize: maxBytes)
        let decoder = TypedJSONDecoder<Chunk>()
        let marker = endMarker.map { Array($0.utf8) }
        var ended = false
        var iterator = stream.makeAsyncIterator()
        // Reused for every read: one list per stream, not one per read.
        var events: [ServerSentEvent] = []
        // One chunk's edited text at a time; the read's caller events go out in one buffer.
        var edited: [UInt8] = []
        var callerEdits = self.callerEdits
        do {
            reading: while let buffer = try await iterator.next() {
                watch.touch()
                outcome.bytes += buffer.readableBytes
                guard outcome.bytes <= maxBytes else {
                    outcome.failure = .responseTooLarge
                    return outcome
                }
                events.removeAll(keepingCapacity: true)
                try parser.feed(buffer, into: &events)
                let firstOfRead = outcome.chunks.count
                // About the read's size: edits mostly make events smaller.
                var callerEvents = callerEdits == nil ? ByteBuffer() : ByteBufferAllocator().buffer(capacity: buffer.readableBytes)
                for event in events {
                    if let marker, event.data == marker {
                        ended = true
                        break
                    }
                    do {
                        if let callerEdits {
                            edited.removeAll(keepingCapacity: true)
                            outcome.chunks.append(try decoder.decode(event.data, editing: callerEdits, into: &edited))
                            ServerSentEventWriter.encode(ServerSentEvent(data: edited), into: &callerEvents)
                        } else {
                            outcome.chunks.append(try decoder.decode(event.data))
                        }
                    } catch {
                        outcome.failure = .invalidResponse("stream event \(outcome.chunks.count): \(ResponseDecoding.describe(error))")
                        return outcome
                    }
                    if outcome.firstChunk == nil { outcome.firstChunk = watch.elapsed() }
                }
                // The chunks of one read go on together: one hand-over, however many events the
                // miner wrote at once.
                if outcome.chunks.count > firstOfRead {
                    watch.pause()
                    let reception = await onChunks(outcome.chunks[firstOfRead...], callerEdits == nil ? nil : callerEvents)
                    watch.resume()
                    switch reception {
                    case .more: break
                    case .moreWithoutEvents: callerEdits = nil
                    case .stop:
                        outcome.abandoned = true
                        return outcome
                    }
                }
                if ended { break reading }
            }
        } catch is ServerSentEventError {
            outcome.failure = .responseTooLarge
            return outcome
        } catch {
            if Task.isCancelled { return outcome }
            outcome.failure = .connection("stream broke off: \(error)")
            return outcome
        }
        if Task.isCancelled { return outcome }
        if endMarker != nil && !ended { outcome.failure = .truncated }
        if endMarker == nil, case .truncated = parser.finish() { outcome.failure = .truncated }
        return outcome
    }

    /// Wakes at each chunk deadline; returns nil (after recording why) when the miner fell
    /// silent too long or ran past the timeout, or when the caller has held the stream (not
    /// reading) for longer than the timeout. Cancelled when the reader finishes first.
    private func watchdog(_ watch: StreamWatch) async -> Outcome? {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            if let verdict = watch.check(now: now, chunkTimeout: chunkTimeout, timeout: timeout) {
                watch.verdict = verdict
                return nil
            }
            let wait = min(chunkTimeout, timeout) / 4
            try? await Task.sleep(for: max(wait, .milliseconds(5)))
        }
        return Outcome()
    }
}

/// Progress of one stream, shared by its reader and watchdog.
final class StreamWatch: Sendable {
    let started: ContinuousClock.Instant
    /// Nanoseconds since `started` of the miner's last sign of life; -1 while the caller holds the stream.
    private let lastActivity = Atomic<Int64>(0)
    /// When the current pause began (ns since `started`), and the pauses so far.
    private let pauseStart = Atomic<Int64>(0)
    private let paused = Atomic<Int64>(0)
    private let failure = Mutex<Verdict?>(nil)

    /// Why the watchdog ended a stream.
    enum Verdict: Sendable {
        case miner(MinerFailure)
        /// The caller held the stream without reading for longer than the timeout.
        case callerTooSlow
    }

    init(started: ContinuousClock.Instant) {
        self.started = started
    }

    var verdict: Verdict? {
        get { failure.withLock { $0 } }
        set { failure.withLock { $0 = newValue } }
    }

    private func offset(_ now: ContinuousClock.Instant = .now) -> Int64 {
        (now - started).nanosecondsClamped
    }

    func touch() { lastActivity.store(offset(), ordering: .relaxed) }

    func pause() {
        let now = offset()
        pauseStart.store(now, ordering: .relaxed)
        lastActivity.store(-1, ordering: .releasing)
    }

    func resume() {
        let now = offset()
        paused.add(now - pauseStart.load(ordering: .relaxed), ordering: .relaxed)
        lastActivity.store(now, ordering: .relaxed)
    }

    /// Time since the start, less the time the caller held the stream.
    func elapsed(now: ContinuousClock.Instant = .now) -> Duration {
        .nanoseconds(offset(now) - paused.load(ordering: .relaxed))
    }

    func check(now: ContinuousClock.Instant, chunkTimeout: Duration, timeout: Duration) -> Verdict? {
        let last = lastActivity.load(ordering: .acquiring)
        let at = offset(now)
        guard last >= 0 else {
            // Paused for the caller: bounded too, so a caller that never reads cannot hold a miner.
            return at - pauseStart.load(ordering: .relaxed) > timeout.nanosecondsClamped ? .callerTooSlow : nil
        }
        if at - paused.load(ordering: .relaxed) > timeout.nanosecondsClamped { return .miner(.timeout) }
        if at - last > chunkTimeout.nanosecondsClamped { return .miner(.stalled) }
        return nil
    }
}

/// Short descriptions of decoding errors that name the field at fault.
enum ResponseDecoding {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context): return "wrong type at \(path(context.codingPath).isEmpty ? "the top level" : path(context.codingPath))"
        case .valueNotFound(_, let context): return "null at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            return at.isEmpty ? "not valid JSON" : "invalid value at \(at)"
        @unknown default: return "could not be decoded"
        }
    }
}
