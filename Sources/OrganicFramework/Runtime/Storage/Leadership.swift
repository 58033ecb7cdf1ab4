import CoreMetrics

/// Whether this instance is the leader: the one instance that sets weights, sends synthetic
/// queries and reads the metagraph from its source. A SQLite node is always the leader; on
/// PostgreSQL, ``LeaderElection`` decides.
final class Leadership: Sendable {
    enum Role: String, Sendable, Codable {
        case leader, follower
    }

    private let state: Locked<Role>
    /// `organic_leader`: 1 while this instance leads, else 0.
    private let gauge: CoreMetrics.Gauge?

    init(_ role: Role, metrics: NodeMetrics? = nil) {
        state = Locked(role)
        gauge = metrics.map { CoreMetrics.Gauge(label: MetricName.leader, factory: $0.factory) }
        gauge?.record(role == .leader ? 1 : 0)
    }

    var role: Role { state.withLock { $0 } }
    var isLeader: Bool { role == .leader }

    /// Sets the role; returns whether it changed.
    @discardableResult
    func become(_ role: Role) -> Bool {
        let changed = state.withLock { current in
            defer { current = role }
            return current != role
        }
        gauge?.record(role == .leader ? 1 : 0)
        return changed
    }
}
