import CoreMetrics
import DequeModule
import Dispatch
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
///
/// A transaction costs about the same for one settlement as for dozens, so the writer gathers:
/// - while many requests holding credits (at least ``lingerSiblings``) are still to settle, it
///   lingers a little (``maxLinger``) before a small batch;
/// - it starts at most one transaction per ``minSpacing`` while fewer than ``maxBatch`` wait. One
///   caller sending a request a millisecond had each charge written alone: about 26 KB of WAL and
///   database writes per request, whose `fdatasync` at each checkpoint held up the node's requests
///   for tens of milliseconds. A charge that comes after a quiet spell is written at once.
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
    /// Requests holding credits at which the writer lingers before writing fewer settlements.
    static let lingerSiblings = 8
    /// The longest the writer lingers for more settlements to join a batch.
    let maxLinger: Duration
    /// The least time from one transaction's start to the next one's while fewer than ``maxBatch``
    /// settlements wait: by default 2 ms, at most 500 transactions a second below that. Kept short:
    /// a charge may wait this long plus a transaction, and a crash in that time leaves it unwritten.
    let minSpacing: Duration
    /// Times the lingers: a queue of the writer's own, so that no other work can hold a linger
    /// past its end. A timer on an event loop waited behind the loop's jobs (a large answer
    /// encoded, 100 ms in a debug build) and a task behind a busy cooperative pool, while charges
    /// piled up unwritten.
    private let timers = DispatchQueue(label: "organic.settlement.linger")
    private let state = Locked<State>(State())
    private let instruments: Instruments?

    private struct State {
        /// Charges (commits), written first: paid requests wait for them.
        var charges: Deque<Queued> = []
        /// Releases, and usage lines that move no credit.
        var lines: Deque<Queued> = []
        /// Settlements taken by the writer and not yet written.
        var writing = 0
        /// The writer goes on its own once ``run()`` has started it; before, only ``flush()`` writes.
        var started = false
        /// A batch is being written; the writer takes the next one when it is done.
        var turn = false
        /// ``flush()`` calls waiting for the queue to empty.
        var drained: [CheckedContinuation<Void, Never>] = []
        /// Reservations held whose settlement is not queued yet: settlements to come.
        var holding = 0
        /// The writer's turn waits for more settlements until this linger (by number) ends.
        var lingering: (number: UInt64, reason: LingerReason)?
        var lingers: UInt64 = 0
        /// When the last transaction started.
        var lastWrite: ContinuousClock.Instant?
        /// Delivered requests whose charge is not in the database yet (queued or being written).
        var unsettled = 0
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Waiters refused (timed out or cancelled) before they parked.
        var refused: Set<UInt64> = []
        var nextWaiter: UInt64 = 0

        /// Settlements waiting for the writer to take them.
        var queued: Int { charges.count + lines.count }
        var unwritten: Int { queued + writing }

        /// Claims the writer's next turn when none is running (and, with `ifStarted`, the writer
        /// is started) and something is queued; true: the caller starts it.
        mutating func startTurn(ifStarted: Bool) -> Bool {
            guard !turn, !ifStarted || started, queued > 0 else { return false }
            turn = true
            return true
        }

        /// Whether a turn about to write should wait for more, and how long: something is queued,
        /// but more requests holding credits are still to settle, or the last transaction started
        /// less than ``minSpacing`` ago; never while the backlog is full or a flush waits.
        func linger(maxUnsettled: Int, minSpacing: Duration, maxLinger: Duration, now: ContinuousClock.Instant) -> (LingerReason, Duration)? {
            guard started, queued > 0, unsettled < maxUnsettled, waiters.isEmpty, drained.isEmpty else { return nil }
            if holding >= SettlementService.lingerSiblings && queued < holding { return (.siblings, maxLinger) }
            guard queued < SettlementService.maxBatch, let lastWrite else { return nil }
            let since = now - lastWrite
            return since < minSpacing ? (.spacing, minSpacing - since) : nil
        }

        /// Whether the current linger has gathered what it waits for.
        var lingerIsOver: Bool {
            switch lingering?.reason {
            case .siblings?: queued >= holding || queued >= SettlementService.maxBatch
            case .spacing?: queued >= SettlementService.maxBatch
            case nil: false
            }
        }
    }

    /// Why the writer waits before a batch.
    private enum LingerReason {
        /// Requests holding credits are about to settle: until as many are queued, or ``maxLinger``.
        case siblings
        /// The last transaction started less than ``minSpacing`` ago: until then, or a full batch.
        case spacing
    }

    /// What a new settlement asks of the writer.
    private enum Start {
        /// Nothing: a turn is running (or the writer is not started), or the settlement was dropped.
        case none
        /// Start a turn, which may linger for more.
        case turn
        /// A lingering batch has gathered enough: write it now.
        case lingerOver
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

    init(store: any KeyStore, logger: Logger, metrics: NodeMetrics?, maxUnsettled: Int = 1024, maxWait: Duration = .seconds(5),
         minSpacing: Duration = .milliseconds(2), maxLinger: Duration = .milliseconds(2)) {
        self.store = store
        self.minSpacing = minSpacing
        self.maxLinger = maxLinger
        self.logger = logger
        self.metrics = metrics
        self.maxUnsettled = max(maxUnsettled, 1)
        self.maxWait = maxWait
        instruments = metrics.map { Instruments(factory: $0.factory) }
    }

    /// Queues a finished request's settlement. Never waits: the answer is already decided.
    package func enqueue(_ settlement: Settlement) {
        let queued = Queued(settlement: settlement, finished: .now)
        let charge = Self.isCharge(settlement)
        let (taken, start): (Bool, Start) = state.withLock { state in
            if settlement.reservation != nil { state.holding = max(state.holding - 1, 0) }
            // A settlement of a reservation is never dropped: paid requests wait for room instead.
            if charge {
                state.charges.append(queued)
                state.unsettled += 1
            } else {
                guard settlement.reservation != nil || state.unwritten < maxLines else { return (false, .none) }
                state.lines.append(queued)
            }
            if state.lingerIsOver {
                state.lingering = nil
                return (true, .lingerOver)
            }
            return (true, state.startTurn(ifStarted: true) ? .turn : .none)
        }
        guard taken else {
            instruments?.dropped.increment()
            return
        }
        switch start {
        case .none: break
        case .turn: writeNextBatch(mayLinger: true)
        case .lingerOver: writeNextBatch(mayLinger: false)
        }
    }

    /// A reservation was just held: its settlement will follow.
    package func held() {
        state.withLock { $0.holding += 1 }
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

    /// ``run()`` has started the writer.
    var isStarted: Bool { state.withLock { $0.started } }

    /// The writer waits for more settlements before writing a batch.
    var isLingering: Bool { state.withLock { $0.lingering != nil } }

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
                let (decided, endsLinger): (Bool?, Bool) = state.withLock { state in
                    if state.refused.remove(id) != nil { return (false, false) }
                    if state.unsettled < maxUnsettled { return (true, false) }
                    state.waiters[id] = waiter
                    // A full backlog is written at once.
                    defer { state.lingering = nil }
                    return (nil, state.lingering != nil)
                }
                if let decided { waiter.resume(returning: decided) }
                if endsLinger { writeNextBatch(mayLinger: false) }
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

    /// Starts the writer, which from then on writes as settlements come; at shutdown, returns
    /// once everything queued is written.
    package func run() async throws {
        let write = state.withLock { state in
            state.started = true
            return state.startTurn(ifStarted: true)
        }
        if write { writeNextBatch(mayLinger: true) }
        try? await gracefulShutdown()
        await flush()
    }

    /// Writes everything queued so far (the writer's own turns included), in transactions of up
    /// to ``maxBatch`` settlements, reservations' settlements before usage lines that move no
    /// credit; returns once the queue is empty.
    func flush() async {
        await withCheckedContinuation { (drained: CheckedContinuation<Void, Never>) in
            let write: Bool? = state.withLock { state in
                guard state.turn || state.unwritten > 0 else { return nil }
                state.drained.append(drained)
                if state.lingering != nil {
                    state.lingering = nil
                    return true
                }
                return state.startTurn(ifStarted: false)
            }
            guard let write else { return drained.resume() }
            if write { writeNextBatch(mayLinger: false) }
        }
    }

    /// One turn of the writer: the oldest queued settlements in one transaction, then the next
    /// turn from the store's completion (on its writer thread, for SQLite), until the queue is
    /// empty. With `mayLinger`, a small batch may wait for more (``maxLinger``, ``minSpacing``).
    private func writeNextBatch(mayLinger: Bool) {
        let now = ContinuousClock.now
        let (batch, unsettled, drained, linger): ([Queued], Int, [CheckedContinuation<Void, Never>], (UInt64, Duration)?) = state.withLock { state in
            if mayLinger, let (reason, wait) = state.linger(maxUnsettled: maxUnsettled, minSpacing: minSpacing, maxLinger: maxLinger, now: now) {
                state.lingers &+= 1
                state.lingering = (state.lingers, reason)
                return ([], state.unsettled, [], (state.lingers, wait))
            }
            // Deques: taking a batch costs the batch, not the queue behind it.
            var taken = Array(state.charges.prefix(Self.maxBatch))
            state.charges.removeFirst(taken.count)
            let more = min(Self.maxBatch - taken.count, state.lines.count)
            taken += state.lines.prefix(more)
            state.lines.removeFirst(more)
            guard !taken.isEmpty else {
                state.turn = false
                defer { state.drained.removeAll() }
                return ([], state.unsettled, state.drained, nil)
            }
            state.writing += taken.count
            state.lastWrite = now
            return (taken, state.unsettled, [], nil)
        }
        if let (number, wait) = linger {
            // Dispatch's clock is monotonic; a linger ends at most once per transaction.
            timers.asyncAfter(deadline: .now() + .nanoseconds(Int(wait.nanosecondsClamped))) { self.lingerEnded(number) }
            return
        }
        for waiter in drained { waiter.resume() }
        guard let oldest = batch.lazy.map(\.finished).min() else { return }
        instruments?.unwritten.record(unsettled)
        let settlements = batch.map(\.settlement)
        store.settle(batch: settlements) { [self] error in
            if let error {
                logger.error("cannot settle credits; their holds are released at the next start",
                             metadata: ["count": "\(batch.count)", "error": "\(error)"])
            } else {
                metrics?.settled(settlements)
            }
            written(settlements, oldest: oldest)
            writeNextBatch(mayLinger: true)
        }
    }

    /// Linger `number` is over: its batch goes now, unless it went already.
    private func lingerEnded(_ number: UInt64) {
        let write = state.withLock { state in
            guard state.lingering?.number == number else { return false }
            state.lingering = nil
            return true
        }
        if write { writeNextBatch(mayLinger: false) }
    }

    /// A batch is written (or failed): frees its room and lets waiting reservations go on.
    private func written(_ settlements: [Settlement], oldest: ContinuousClock.Instant) {
        instruments?.lag.recordNanoseconds((ContinuousClock.now - oldest).nanosecondsClamped)
        let charges = settlements.count(where: Self.isCharge)
        let (woken, left): ([CheckedContinuation<Bool, Never>], Int) = state.withLock { state in
            state.writing -= settlements.count
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

