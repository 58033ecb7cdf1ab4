/// How many connections the node's HTTP client may hold open to one miner.
///
/// It must never be what limits a miner: each request the node sends a miner holds a connection
/// while it runs (a streamed answer for its whole length), and a request waiting for one waits
/// unseen by the scheduler, its timeout running. So the limit is at least the most requests the
/// node admits to one miner at once: on every endpoint, the largest capacity the configuration
/// or a declaration can give a miner.
enum MinerConnectionLimit {
    /// Never fewer (the client's former fixed limit).
    static let floor = 64
    /// Never more, however large the configured capacities.
    static let ceiling = 16_384

    static func perMiner(_ configuration: NodeConfiguration, endpoints: Int) -> Int {
        let dispatch = configuration.dispatch
        var largest = max(dispatch.defaultMinerCapacity, dispatch.maxDeclaredCapacity)
        for override in dispatch.endpoints.values { largest = max(largest, override.minerCapacity ?? 0) }
        for miner in configuration.miners {
            largest = max(largest, miner.capacity ?? 0, miner.capacities?.values.max() ?? 0)
        }
        let (total, overflow) = largest.multipliedReportingOverflow(by: max(endpoints, 1))
        return min(max(overflow ? ceiling : total, floor), ceiling)
    }
}
