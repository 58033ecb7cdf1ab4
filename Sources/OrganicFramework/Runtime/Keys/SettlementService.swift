import CoreMetrics
import DequeModule
package import Logging
import ServiceLifecycle

/// Writes settlements (the charge or release, and the usage line) off the request path, many per
/// transaction, as part of the node's service group. A hold still open when the node stops (or
/// crashes) ends with it (held in memory) or is released at the next start (durable), so a
/// request is never charged twice and a balance never drifts from its ledger; the price of a
/// crash before a settlement is written is that its request goes uncharged.
///
/// That window is bounded: once ``maxUnsettled`` delivered requests wait for their charge to be
/// written, new paid requests wait for the writer (``waitForRoom()``) and are refused with 503
/// after ``maxWait``, so a crash can leave at most `maxUnsettled` plus the requests then in
/// flight uncharged, however far the database falls behind. Releases do not count (a crash
/// releases the same credits at the next start), nor do usage lines of refused requests (402,
/// 403, 429), which move no credit: a flood of them must not turn paying callers away. Both are
/// written after the charges; the usage lines wait up to ``maxLines``, beyond which they are
/// dropped and counted.
package final class SettlementService: Service, Sendable {
    let store: any KeyStore
    let logger: Logger
    /// Counts what written settlements charged and gave back; nil records nothing.
    let metrics: NodeMetrics?
    /// Settlements per write transaction.
    static let maxBatch = 512
    /// Charges of delivered requests not yet written (queued or being written) at which paid
    /// requests wait.
    let maxUnsettled: Int
    /// Lines waiting at which usage lines that move no credit are dropped.
    var maxLines: Int { maxUnsettled * 16 }
    /// How long a reservation waits for the writer before it is refused.
    let maxWait: Duration
    private let state = Locked<State>(State())
    private let signal: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let instruments: Instruments?

    private struct State {
        /// Charges (commits), written first: paid requests wait for them.
        var charges: Deque<Queued> = []
        /// Releases, and usage lines that move no credit.
        var lines: Deque<Queued> = []
        /// Settlements taken by the writer and not yet written.
        var writing = 0
        /// Delivered requests whose charge is not in the database yet (queued or being written).
        var unsettled = 0
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Waiters refused (timed out or cancelled) before they parked.
        var refused: Set<UInt64> = []
        var nextWaiter: UInt64 = 0

        var unwritten: Int { charges.count + lines.count + writing }
    }

    private struct Queued {
        var settlement: Settlement
        var finished: ContinuousClock.Instant
    }

    /// What an operator graphs: the backlog, how old a settlement is when written, and the
    /// reservations that had to wait for it.
    private struct Instruments: Sendable {
        let unwritten: CoreMetrics.Gauge
        let lag: CoreMetrics.Timer
        let waited: CoreMetrics.Counter
        let refused: CoreMetrics.Counter
        let dropped: CoreMetrics.Counter

        init(factory: any MetricsFactory) {
            unwritten = CoreMetrics.Gauge(label: MetricName.settlementsUnwritten, factory: factory)
            lag = CoreMetrics.Timer(label: MetricName.settlementLag, factory: factory)
            waited = CoreMetrics.Counter(label: MetricName.settlementWaits, dimensions: [("outcome", "admitted")], factory: factory)
            refused = CoreMetrics.Counter(label: MetricName.settlementWaits, dimensions: [("outcome", "refused")], factory: factory)
            dropped = CoreMetrics.Counter(label: MetricName.usageLinesDropped, factory: factory)
        }
    }

    /// Without metrics (benchmarks).
    package convenience init(store: any KeyStore, logger: Logger) {
        self.init(store: store, logger: logger, metrics: nil)
    }

    init(store: any KeyStore, logger: Logger, metrics: NodeMetrics?, maxUnsettled: Int = 1024, maxWait: Duration = .seconds(5)) {
        self.store = store
        self.logger = logger
        self.metrics = metrics
        self.maxUnsettled = max(maxUnsettled, 1)
        self.maxWait = maxWait
        instruments = metrics.map { Instruments(factory: $0.factory) }
        (signal, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a finished request's settlement. Never waits: the answer is already decided.
    package func enqueue(_ settlement: Settlement) {
        let queued = Queued(settlement: settlement, finished: .now)
        let charge = Self.isCharge(settlement)
        let taken = state.withLock { state in
            // A settlement of a reservation is never dropped: paid requests wait for room instead.
            if charge {
                state.charges.append(queued)
                state.unsettled += 1
                return true
            }
            guard settlement.reservation != nil || state.unwritten < maxLines else { return false }
            state.lines.append(queued)
            return true
        }
        guard taken else {
            instruments?.dropped.increment()
            return
        }
        continuation.yield()
    }

    /// Delivered requests whose charge is not written yet.
    var unsettled: Int { state.withLock { $0.unsettled } }

    /// Whether a crash before `settlement` is written leaves a delivered request uncharged.
    static func isCharge(_ settlement: Settlement) -> Bool {
        settlement.reservation != nil && settlement.commit
    }

    /// Lines (settlements and usage lines) not written yet.
    var unwrittenLines: Int { state.withLock { $0.unwritten } }

    /// Reservations waiting for the writer.
    var parkedWaiters: Int { state.withLock { $0.waiters.count } }

    /// Returns at once while the backlog is under ``maxUnsettled``; otherwise waits until the
    /// writer brings it under, for at most ``maxWait`` (false: the caller refuses the request).
    package func waitForRoom() async -> Bool {
        let id: UInt64? = state.withLock { state in
            guard state.unsettled >= maxUnsettled else { return nil }
            defer { state.nextWaiter &+= 1 }
            return state.nextWaiter
        }
        guard let id else { return true }
        let admitted = await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.parked(id) }
            group.addTask { [maxWait] in
                try? await Task.sleep(for: maxWait)
                return nil
            }
            var outcome = false
            for await result in group {
                if let result {
                    outcome = result
                    break
                }
                outcome = false
                refuse(id)
            }
            group.cancelAll()
            return outcome
        }
        state.withLock { _ = $0.refused.remove(id) }
        (admitted ? instruments?.waited : instruments?.refused)?.increment()
        return admitted
    }

    /// Parks waiter `id` until the writer makes room (true) or it is refused (false).
    private func parked(_ id: UInt64) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
                let decided: Bool? = state.withLock { state in
                    if state.refused.remove(id) != nil { return false }
                    if state.unsettled < maxUnsettled { return true }
                    state.waiters[id] = waiter
                    return nil
                }
                if let decided { waiter.resume(returning: decided) }
            }
        } onCancel: {
            refuse(id)
        }
    }

    /// Refuses waiter `id`, parked or about to park.
    private func refuse(_ id: UInt64) {
        let parked = state.withLock { state in
            let waiter = state.waiters.removeValue(forKey: id)
            if waiter == nil { state.refused.insert(id) }
            return waiter
        }
        parked?.resume(returning: false)
    }

    package func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in signal { await flush() }
            await flush()
        } onGracefulShutdown: { [continuation] in
            continuation.finish()
        }
    }

    /// Writes everything queued so far, in transactions of up to ``maxBatch`` settlements,
    /// reservations' settlements before usage lines that move no credit.
    func flush() async {
        while true {
            let (batch, unsettled): ([Queued], Int) = state.withLock { state in
                // Deques: taking a batch costs the batch, not the queue behind it.
                var taken = Array(state.charges.prefix(Self.maxBatch))
                state.charges.removeFirst(taken.count)
                let more = min(Self.maxBatch - taken.count, state.lines.count)
                taken += state.lines.prefix(more)
                state.lines.removeFirst(more)
                state.writing += taken.count
                return (taken, state.unsettled)
            }
            guard let oldest = batch.lazy.map(\.finished).min() else { return }
            instruments?.unwritten.record(unsettled)
            let settlements = batch.map(\.settlement)
            let charges = settlements.count(where: Self.isCharge)
            do {
                try await store.settle(batch: settlements)
                metrics?.settled(settlements)
            } catch {
                logger.error("cannot settle credits; their holds are released at the next start",
                             metadata: ["count": "\(batch.count)", "error": "\(error)"])
            }
            instruments?.lag.recordNanoseconds((ContinuousClock.now - oldest).nanosecondsClamped)
            let (woken, left): ([CheckedContinuation<Bool, Never>], Int) = state.withLock { state in
                state.writing -= batch.count
                state.unsettled -= charges
                let room = max(maxUnsettled - state.unsettled, 0)
                guard room > 0, !state.waiters.isEmpty else { return ([], state.unsettled) }
                // Oldest waiters first; each admitted reservation may add one settlement later.
                let ids = state.waiters.keys.sorted().prefix(room)
                return (ids.compactMap { state.waiters.removeValue(forKey: $0) }, state.unsettled)
            }
            instruments?.unwritten.record(left)
            for waiter in woken { waiter.resume(returning: true) }
        }
    }
}
