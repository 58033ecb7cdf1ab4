import Logging
import ServiceLifecycle

/// Keeps the selector's view of the subnet current, keeping the last good snapshot on errors.
final class MetagraphRefreshService: Service {
    let source: any MetagraphSource
    let selector: MinerSelector
    let clock: any NodeClock
    let logger: Logger

    init(source: any MetagraphSource, selector: MinerSelector, clock: any NodeClock, logger: Logger) {
        self.source = source
        self.selector = selector
        self.clock = clock
        self.logger = logger
    }

    /// Fetches once; used before the servers start so the first request sees the miners.
    func refresh() async {
        do {
            let metagraph = try await source.fetch()
            selector.update(metagraph: metagraph)
        } catch {
            logger.warning("metagraph refresh failed; keeping the last snapshot", metadata: ["error": "\(error)"])
        }
    }

    func run() async throws {
        guard let interval = source.refreshInterval else {
            try? await gracefulShutdown()
            return
        }
        // The node refreshed once before starting.
        await PeriodicWork.run(every: interval, clock: clock, start: .pausing) { await self.refresh() }
    }
}
