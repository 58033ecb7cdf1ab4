public import OrganicFramework
public import Foundation
import Synchronization

/// A clock that moves only when a test says so. `sleep(for:)` and `sleep(until:)` return
/// once ``advance(by:)`` has moved time to their deadline (or throw when their task is
/// cancelled), so schedules run without real waiting. ``stepWallClock(by:)`` moves the wall
/// clock alone, as a clock correction would, leaving uptime and sleepers alone.
public final class ManualNodeClock: NodeClock, Sendable {
    private struct Sleeper {
        var id: UInt64
        var deadline: Uptime
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Date
        var uptime = Uptime(nanoseconds: 0)
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }
    private let state: Mutex<State>

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex(State(now: start))
    }

    public func now() -> Date { state.withLock { $0.now } }

    public func uptime() -> Uptime { state.withLock { $0.uptime } }

    public func sleep(for duration: Duration) async throws {
        try await sleep(.after(duration))
    }

    public func sleep(until deadline: Uptime) async throws {
        try await sleep(.at(deadline))
    }

    private enum Due {
        case after(Duration)
        case at(Uptime)
    }

    /// Sleeps until `due`, a relative one counted from the uptime under the lock.
    private func sleep(_ due: Due) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate: (any Error)?? = state.withLock { state in
                    if Task.isCancelled { return .some(CancellationError()) }
                    let deadline = switch due {
                    case .after(let duration): state.uptime + duration
                    case .at(let uptime): uptime
                    }
                    if deadline <= state.uptime { return .some(nil) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .none
                }
                switch immediate {
                case .none: break
                case .some(nil): continuation.resume()
                case .some(let error?): continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time (wall clock and uptime) forward and wakes every sleeper whose deadline has passed.
    public func advance(by duration: Duration) {
        let due: [Sleeper] = state.withLock { state in
            state.now = state.now.addingTimeInterval(duration.seconds)
            state.uptime = state.uptime + duration
            let uptime = state.uptime
            let due = state.sleepers.filter { $0.deadline <= uptime }
            state.sleepers.removeAll { $0.deadline <= uptime }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Steps the wall clock alone (forward or back), as an NTP correction or an operator would;
    /// uptime, and therefore every deadline and sleeper, stays where it was.
    public func stepWallClock(by duration: Duration) {
        state.withLock { $0.now = $0.now.addingTimeInterval(duration.seconds) }
    }

    /// Number of tasks currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }
}
