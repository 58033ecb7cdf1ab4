/// Where a running node listens.
public struct NodeAddresses: Sendable, Hashable {
    /// Base URL of the public API, such as `http://127.0.0.1:8080`.
    public var publicURL: String
    /// Base URL of the admin API, or nil when it is disabled.
    public var adminURL: String?
}

/// Collects the ports the listeners actually bound (port 0 picks one) and wakes waiters.
package actor ListenerReadiness {
    private var ports: [String: Int] = [:]
    private var waiters: [(Set<String>, CheckedContinuation<[String: Int], Never>)] = []

    package init() {}

    package func bound(_ name: String, port: Int) {
        ports[name] = port
        var still: [(Set<String>, CheckedContinuation<[String: Int], Never>)] = []
        for (names, continuation) in waiters {
            if names.isSubset(of: ports.keys) { continuation.resume(returning: ports) } else { still.append((names, continuation)) }
        }
        waiters = still
    }

    package func wait(for names: Set<String>) async -> [String: Int] {
        if names.isSubset(of: ports.keys) { return ports }
        return await withCheckedContinuation { waiters.append((names, $0)) }
    }
}
