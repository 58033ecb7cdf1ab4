/// Hands the first usable answer of a round to the waiting caller exactly once, while the
/// round goes on collecting the other miners' answers for scoring.
final class ResponseDelivery<Value: Sendable>: Sendable {
    private let state = Locked<State>(.waiting(nil))

    private enum State {
        case waiting(CheckedContinuation<Value, any Error>?)
        case done(Result<Value, any Error>?)
    }

    /// Waits for ``deliver(_:)``; works whichever of the two happens first.
    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let early: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .waiting: state = .waiting(continuation); return nil
                case .done(let result): state = .done(nil); return result
                }
            }
            if let early { continuation.resume(with: early) }
        }
    }

    /// Whether a result has been handed over already.
    var isDelivered: Bool {
        state.withLock { if case .done = $0 { return true } else { return false } }
    }

    /// Delivers `result` if nothing was delivered before; later calls are ignored.
    @discardableResult
    func deliver(_ result: Result<Value, any Error>) -> Bool {
        let continuation: CheckedContinuation<Value, any Error>?? = state.withLock { state in
            switch state {
            case .waiting(let c):
                state = .done(c == nil ? result : nil)
                return .some(c)
            case .done:
                return .none
            }
        }
        switch continuation {
        case .none: return false
        case .some(let c): c?.resume(with: result); return true
        }
    }
}
