import Synchronization

/// The node-wide bound on waiting requests (``SchedulingPolicy/maxTotalQueued``), shared by
/// every endpoint's queue without a common lock.
final class QueueBudget: Sendable {
    let limit: Int
    private let queued = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var isFull: Bool { queued.load(ordering: .relaxed) >= limit }
    var isEmpty: Bool { queued.load(ordering: .sequentiallyConsistent) == 0 }

    /// Takes a place for one more waiting request; false when the node holds `limit` already.
    func take() -> Bool {
        var current = queued.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = queued.compareExchange(expected: current, desired: current + 1, ordering: .sequentiallyConsistent)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives back the place of a request that left the queue.
    func give() {
        queued.subtract(1, ordering: .sequentiallyConsistent)
    }
}
