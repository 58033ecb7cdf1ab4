import Synchronization

/// One timer for all of a selector's queues: it sleeps until the earliest instant at which a
/// waiting request could time out or a miner leave its cooldown, then lets the selector look at
/// its queues, which set it again. Releases wake waiters directly; the timer covers only what
/// time alone changes, so a waiting request costs nothing until then.
final class AdmissionTimer: Sendable {
    private struct State {
        /// When the timer is set for; nil when it is not set.
        var deadline: Uptime?
        var task: Task<Void, Never>?
        /// Tells a sleeper whether it is still the timer (a later setting replaces it).
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    let clock: any NodeClock

    init(clock: any NodeClock) {
        self.clock = clock
    }

    /// Sets the timer for `deadline` unless it is set for that or earlier; `fire` runs when it
    /// goes off (the timer is then unset).
    func arm(at deadline: Uptime, fire: @escaping @Sendable () -> Void) {
        state.withLock { state in
            if let set = state.deadline, set <= deadline { return }
            state.task?.cancel()
            state.generation &+= 1
            let generation = state.generation
            state.deadline = deadline
            state.task = Task { [clock] in
                do {
                    try await clock.sleep(until: deadline)
                } catch {
                    return
                }
                if self.claim(generation) { fire() }
            }
        }
    }

    /// Unsets the timer when `idle()` says there is nothing to wait for (checked under the
    /// timer's lock, so that it cannot undo a setting made for work queued meanwhile).
    func disarm(when idle: () -> Bool) {
        state.withLock { state in
            guard state.task != nil, idle() else { return }
            state.task?.cancel()
            state.task = nil
            state.deadline = nil
            state.generation &+= 1
        }
    }

    /// Unsets the timer if the sleeper of `generation` still is the timer; returns whether it was.
    private func claim(_ generation: UInt64) -> Bool {
        state.withLock { state in
            guard state.generation == generation else { return false }
            state.task = nil
            state.deadline = nil
            return true
        }
    }
}
