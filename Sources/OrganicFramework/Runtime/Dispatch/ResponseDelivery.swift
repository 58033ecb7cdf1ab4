/// Hands a round's first usable answer to whoever waits for it, exactly once, while the round
/// goes on collecting the other miners' answers for scoring. Any number of waiters may wait,
/// before or after delivery; all see the same result.
package final class ResponseDelivery<Value: Sendable>: Sendable {
    private let state = Locked<State>(.waiting([]))

    package init() {}

    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case done(Result<Value, any Error>)
    }

    /// Waits for ``deliver(_:)``, or returns at once when it already happened.
    package func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Whether a result has been handed over already.
    package var isDelivered: Bool {
        state.withLock { if case .done = $0 { return true } else { return false } }
    }

    /// Delivers `result` if nothing was delivered before; later calls are ignored.
    @discardableResult
    package func deliver(_ result: Result<Value, any Error>) -> Bool {
        let waiters: [CheckedContinuation<Value, any Error>]? = state.withLock { state in
            guard case .waiting(let waiters) = state else { return nil }
            state = .done(result)
            return waiters
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(with: result) }
        return true
    }
}
