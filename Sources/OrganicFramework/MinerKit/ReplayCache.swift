import OrganicFramework
/// Remembers recently accepted (hotkey, nonce) pairs so a captured request cannot be sent
/// again inside the freshness window. Bounded: entries leave when their window has passed,
/// and when `capacity` live entries exist further requests are refused rather than letting
/// an old entry go early (which would re-open a replay).
final class ReplayCache: Sendable {
    struct Key: Hashable, Sendable {
        var hotkey: String
        var nonce: String
    }

    private struct State {
        var seen: Set<Key> = []
        var order: [(key: Key, expires: Int64)] = []
        var head = 0
    }

    enum Outcome: Equatable { case fresh, replayed, full }

    let capacity: Int
    private let state = Locked(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Records the pair unless already present. `expiresAtNanos` is when the request would
    /// be stale anyway; `nowNanos` drives eviction.
    func insert(hotkey: String, nonce: String, expiresAtNanos: Int64, nowNanos: Int64) -> Outcome {
        let capacity = self.capacity
        return state.withLock { s in
            // Entries are appended roughly in time order; sweep expired ones from the front.
            while s.head < s.order.count, s.order[s.head].expires <= nowNanos {
                s.seen.remove(s.order[s.head].key)
                s.head += 1
            }
            if s.head > 1024, s.head * 2 > s.order.count {
                s.order.removeFirst(s.head)
                s.head = 0
            }
            let key = Key(hotkey: hotkey, nonce: nonce)
            if s.seen.contains(key) { return .replayed }
            if s.seen.count >= capacity { return .full }
            s.seen.insert(key)
            s.order.append((key, expiresAtNanos))
            return .fresh
        }
    }

    var count: Int { state.withLock { $0.seen.count } }
}
