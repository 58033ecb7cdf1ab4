import ServiceLifecycle
import Synchronization

/// Work that the executor runs to completion: one query round.
protocol RoundJob: Sendable {
    func run() async
}

/// Runs every query round and, on shutdown, waits for those in flight.
///
/// A caller gets the first valid answer while the round keeps collecting the other miners'
/// answers for scoring, so rounds outlive HTTP requests. Each round is a task of its own,
/// started on the executor of the loop that submits it (the caller's connection's loop, see
/// ``EventLoopTaskExecutor``): handing rounds to one consuming task would wake another thread
/// twice per request. The executor keeps them accountable instead: a graceful shutdown stops
/// taking new rounds and waits for those in flight; cancelling ``run()`` cancels them.
final class RoundExecutor: Service {
    private struct State {
        var accepting = true
        var running: [UInt64: Task<Void, Never>] = [:]
        var nextID: UInt64 = 0
        /// ``run()``, once it waits for the last round after shutdown began.
        var drained: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Starts a round; false once the executor is shutting down. The round inherits the
    /// submitter's request scope (its logs name the request).
    func submit(_ job: any RoundJob) -> Bool {
        let executor = EventLoopTaskExecutor.current
        return state.withLock { state in
            guard state.accepting else { return false }
            let id = state.nextID
            state.nextID += 1
            // Made under the lock: the round's end (which takes it) comes after its insertion.
            state.running[id] = Task(executorPreference: executor) {
                await job.run()
                self.finished(id)
            }
            return true
        }
    }

    /// Rounds in flight.
    var inFlight: Int { state.withLock { $0.running.count } }

    private func finished(_ id: UInt64) {
        let drained: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.running[id] = nil
            guard !state.accepting, state.running.isEmpty else { return nil }
            defer { state.drained = nil }
            return state.drained
        }
        drained?.resume()
    }

    private func stopAccepting(cancelRunning: Bool) {
        let (drained, running): (CheckedContinuation<Void, Never>?, [Task<Void, Never>]) = state.withLock { state in
            state.accepting = false
            let running = cancelRunning ? Array(state.running.values) : []
            guard state.running.isEmpty else { return (nil, running) }
            defer { state.drained = nil }
            return (state.drained, running)
        }
        for task in running { task.cancel() }
        drained?.resume()
    }

    /// Waits until shutdown begins and the rounds in flight are done.
    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let done = state.withLock { state in
                        if !state.accepting && state.running.isEmpty { return true }
                        state.drained = continuation
                        return false
                    }
                    if done { continuation.resume() }
                }
            } onCancel: {
                stopAccepting(cancelRunning: true)
            }
        } onGracefulShutdown: {
            self.stopAccepting(cancelRunning: false)
        }
    }
}
