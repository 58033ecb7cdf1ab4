import Synchronization

/// Bytes of request bodies the node holds at once, across every request (`server.maxBufferedRequestBytes`).
///
/// Each request claims its declared length (its endpoint's limit when the length is not declared)
/// before reading its body and gives it back when it is done; a request that does not fit is
/// refused at once with 503 and `Retry-After` instead of waiting, so a burst of large uploads
/// cannot take the node's memory, whoever sends them.
final class RequestBodyBudget: Sendable {
    let capacity: Int
    private let used = Mutex<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Claims `bytes`; false when they do not fit now.
    func claim(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard bytes <= capacity - used else { return false }
            used += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        used.withLock { $0 = max($0 - bytes, 0) }
    }
}
