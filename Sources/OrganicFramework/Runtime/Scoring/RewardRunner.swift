import DequeModule
import Synchronization

/// Runs plugins' reward functions, which may suspend (to ask a checking service), so that a slow
/// one never holds up anything else: at most `maxConcurrent` run at once per endpoint, each is
/// bounded by its endpoint's scoring timeout, and at most `maxWaiting` rounds per endpoint wait
/// for a turn. A round whose reward times out, or that finds the queue full, is discarded.
///
/// A reward that times out is cancelled but keeps its slot until it actually returns, so a
/// reward that ignores cancellation cannot multiply itself.
final class RewardRunner: Sendable {
    enum Result: Sendable {
        case judged(RewardVerdict)
        case timedOut
        case overloaded
    }

    let maxConcurrent: Int
    let maxWaiting: Int
    /// Where rewards run; nil runs them on the cooperative pool (tests and tools).
    let executor: ScoringExecutor?
    private let slots = Mutex<[String: EndpointSlots]>([:])

    struct EndpointSlots {
        var running = 0
        var waiting = Deque<(id: UInt64, continuation: CheckedContinuation<Acquisition, Never>)>()
        var nextID: UInt64 = 0
    }

    init(maxConcurrent: Int = 16, maxWaiting: Int = 1024, executor: ScoringExecutor? = nil) {
        self.maxConcurrent = max(maxConcurrent, 1)
        self.maxWaiting = max(maxWaiting, 0)
        self.executor = executor
    }

    /// Runs `reward` for a round of `endpoint`, waiting for a slot and then for the reward, in
    /// all at most `timeout`.
    func judge(endpoint: String, timeout: Duration, _ reward: @escaping @Sendable () async -> RewardVerdict) async -> Result {
        switch await bounded(endpoint: endpoint, timeout: timeout, reward) {
        case .done(let verdict): .judged(verdict)
        case .timedOut: .timedOut
        case .overloaded: .overloaded
        }
    }

    /// How bounded work ended.
    enum Bounded<Value: Sendable>: Sendable {
        case done(Value)
        case timedOut
        case overloaded
    }

    /// Runs any scoring work of `endpoint` (a reward, or comparing answers for a tie-break) under
    /// the same slots and timeout as reward functions.
    func bounded<Value: Sendable>(endpoint: String, timeout: Duration, _ work: @escaping @Sendable () async -> Value) async -> Bounded<Value> {
        let deadline = ContinuousClock.now + timeout
        switch await acquire(endpoint, deadline: deadline) {
        case .overloaded: return .overloaded
        case .timedOut: return .timedOut
        case .acquired: break
        }
        let outcome = OneShot<Value?>()
        let work = Task(executorPreference: executor) {
            let value = await work()
            self.release(endpoint)
            outcome.fulfil(value)
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            outcome.fulfil(nil)
        }
        let value = await outcome.value()
        timer.cancel()
        guard let value else {
            work.cancel()
            return .timedOut
        }
        return .done(value)
    }

    enum Acquisition { case acquired, timedOut, overloaded }

    /// Rewards of `endpoint` running (or timed out and not yet returned) and rounds waiting.
    func load(_ endpoint: String) -> (running: Int, waiting: Int) {
        slots.withLock { all in (all[endpoint]?.running ?? 0, all[endpoint]?.waiting.count ?? 0) }
    }

    private func acquire(_ endpoint: String, deadline: ContinuousClock.Instant) async -> Acquisition {
        enum First { case decided(Acquisition), wait(UInt64) }
        let first: First = withSlots(endpoint) { slots in
            if let decided = decide(&slots) { return .decided(decided) }
            slots.nextID += 1
            return .wait(slots.nextID)
        }
        let id: UInt64
        switch first {
        case .decided(let decided): return decided
        case .wait(let next): id = next
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            self.withdraw(endpoint, id: id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            // Decided again and queued under one lock: a slot freed since the first look is not
            // missed, and the queue never exceeds maxWaiting.
            let now: Acquisition? = withSlots(endpoint) { slots in
                if let decided = decide(&slots) { return decided }
                // The timer may already have fired (and found nothing to withdraw).
                if ContinuousClock.now >= deadline { return .timedOut }
                slots.waiting.append((id, continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// Takes a free slot, or refuses when the queue is full; nil means wait.
    private func decide(_ slots: inout EndpointSlots) -> Acquisition? {
        if slots.running < maxConcurrent {
            slots.running += 1
            return .acquired
        }
        return slots.waiting.count >= maxWaiting ? .overloaded : nil
    }

    /// Runs `body` on the endpoint's slots in place, under the lock.
    private func withSlots<T>(_ endpoint: String, _ body: (inout EndpointSlots) -> T) -> T {
        slots.withLock { all in body(&all[endpoint, default: EndpointSlots()]) }
    }

    /// Hands the slot to the next waiter, or frees it.
    private func release(_ endpoint: String) {
        let next = withSlots(endpoint) { slots -> CheckedContinuation<Acquisition, Never>? in
            if let waiter = slots.waiting.popFirst() { return waiter.continuation }
            slots.running -= 1
            return nil
        }
        next?.resume(returning: .acquired)
    }

    private func withdraw(_ endpoint: String, id: UInt64) {
        let waiter = withSlots(endpoint) { slots -> CheckedContinuation<Acquisition, Never>? in
            guard let index = slots.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            return slots.waiting.remove(at: index).continuation
        }
        waiter?.resume(returning: .timedOut)
    }
}

/// A value delivered once, awaited once.
final class OneShot<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value?, done: Bool, waiter: CheckedContinuation<Value, Never>?)>((nil, false, nil))

    func fulfil(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard !state.done else { return nil }
            state.done = true
            state.value = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Value? in
                if state.done { return state.value }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
