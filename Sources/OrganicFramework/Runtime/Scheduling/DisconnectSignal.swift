import Synchronization

/// Fires once when the caller behind a request goes away, so that work done on its behalf can
/// stop early: a queued request leaves its queue at once instead of at its deadline, and an
/// answer is not charged to a caller who can no longer receive it.
///
/// The node's HTTP server raises it when a client connection's input closes or the connection
/// drops (a channel handler in each connection's pipeline); tests may raise it directly.
package final class DisconnectSignal: Sendable {
    package typealias Observer = @Sendable () -> Void

    struct State {
        var disconnected = false
        var nextToken: UInt64 = 0
        var observers: [UInt64: Observer] = [:]
    }

    let state = Mutex(State())

    package init() {}

    /// Whether the caller has gone.
    package var isDisconnected: Bool { state.withLock { $0.disconnected } }

    /// Calls `observer` once when the caller goes. Returns a token for ``stopObserving(_:)``, or
    /// nil, without calling `observer`, when the caller is already gone.
    package func observe(_ observer: @escaping Observer) -> UInt64? {
        state.withLock { state in
            guard !state.disconnected else { return nil }
            state.nextToken += 1
            state.observers[state.nextToken] = observer
            return state.nextToken
        }
    }

    package func stopObserving(_ token: UInt64) {
        _ = state.withLock { $0.observers.removeValue(forKey: token) }
    }

    /// Marks the caller as gone and notifies the observers (outside the lock, so that they may
    /// take other locks). Later calls do nothing.
    package func disconnect() {
        let observers: [Observer] = state.withLock { state in
            guard !state.disconnected else { return [] }
            state.disconnected = true
            defer { state.observers = [:] }
            return Array(state.observers.values)
        }
        for observer in observers { observer() }
    }
}
