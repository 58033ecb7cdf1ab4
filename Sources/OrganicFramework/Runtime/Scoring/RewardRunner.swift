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
    private let slots = Mutex<[String: EndpointSlots]>([:])

    struct EndpointSlots {
        var running = 0
        var waiting = Deque<(id: UInt64, continuation: CheckedContinuation<Bool, Never>)>()
        var nextID: UInt64 = 0
    }

    init(maxConcurrent: Int = 16, maxWaiting: Int = 1024) {
        self.maxConcurrent = max(maxConcurrent, 1)
        self.maxWaiting = max(maxWaiting, 0)
    }

    /// Runs `reward` for a round of `endpoint`, waiting for a slot and then for the reward, in
    /// all at most `timeout`.
    func judge(endpoint: String, timeout: Duration, _ reward: @escaping @Sendable () async -> RewardVerdict) async -> Result {
        let deadline = ContinuousClock.now + timeout
        switch await acquire(endpoint, deadline: deadline) {
        case .overloaded: return .overloaded
        case .timedOut: return .timedOut
        case .acquired: break
        }
        let outcome = OneShot<RewardVerdict?>()
        let work = Task {
            let verdict = await reward()
            self.release(endpoint)
            outcome.fulfil(verdict)
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            outcome.fulfil(nil)
        }
        let verdict = await outcome.value()
        timer.cancel()
        guard let verdict else {
            work.cancel()
            return .timedOut
        }
        return .judged(verdict)
    }

    private enum Acquisition { case acquired, timedOut, overloaded }

    private func acquire(_ endpoint: String, deadline: ContinuousClock.Instant) async -> Acquisition {
        enum First { case acquired, overloaded, wait(UInt64) }
        let first: First = slots.withLock { all in
            var slots = all[endpoint] ?? EndpointSlots()
            defer { all[endpoint] = slots }
            if slots.running < maxConcurrent {
                slots.running += 1
                return .acquired
            }
            if slots.waiting.count >= maxWaiting { return .overloaded }
            slots.nextID += 1
            return .wait(slots.nextID)
        }
        switch first {
        case .acquired: return .acquired
        case .overloaded: return .overloaded
        case .wait(let id):
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                self.withdraw(endpoint, id: id)
            }
            let granted = await withCheckedContinuation { continuation in
                slots.withLock { all in all[endpoint, default: EndpointSlots()].waiting.append((id, continuation)) }
                // The deadline may already have passed while registering.
                if ContinuousClock.now >= deadline { withdraw(endpoint, id: id) }
            }
            timer.cancel()
            return granted ? .acquired : .timedOut
        }
    }

    /// Hands the slot to the next waiter, or frees it.
    private func release(_ endpoint: String) {
        let next = slots.withLock { all -> CheckedContinuation<Bool, Never>? in
            if let waiter = all[endpoint]?.waiting.popFirst() { return waiter.continuation }
            all[endpoint]?.running -= 1
            return nil
        }
        next?.resume(returning: true)
    }

    private func withdraw(_ endpoint: String, id: UInt64) {
        let waiter = slots.withLock { all -> CheckedContinuation<Bool, Never>? in
            guard let index = all[endpoint]?.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            return all[endpoint]?.waiting.remove(at: index).continuation
        }
        waiter?.resume(returning: false)
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
