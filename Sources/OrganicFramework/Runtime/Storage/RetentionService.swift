import Foundation
import Logging
import ServiceLifecycle

/// Prunes rows older than `retention.days` every `retention.intervalSeconds`: batch after
/// batch (each its own short transaction), pausing `retention.pauseMilliseconds` between
/// them, until a batch finds fewer rows than it may take. With several instances only the
/// leader runs it.
struct RetentionService: Service {
    let store: any RetentionStore
    let settings: NodeConfiguration.Retention
    let clock: any NodeClock
    let logger: Logger

    func run() async throws {
        await PeriodicWork.run(every: .seconds(double: settings.intervalSeconds), clock: clock) { _ = await self.prune() }
    }

    /// One pass; returns what it deleted.
    @discardableResult
    func prune() async -> PrunedRows {
        let cutoff = clock.now().addingTimeInterval(-settings.days * 86_400)
        var total = PrunedRows()
        while !Task.isCancelled {
            do {
                let batch = try await store.pruneBatch(before: cutoff, limit: settings.batchRows)
                total = total + batch
                guard batch.rounds >= settings.batchRows || batch.usage >= settings.batchRows else { break }
            } catch {
                logger.warning("pruning old rows failed; will retry at the next pass", metadata: ["error": "\(error)"])
                break
            }
            try? await Task.sleep(for: .milliseconds(settings.pauseMilliseconds))
        }
        if total != PrunedRows() {
            logger.info("pruned rows older than the retention age", metadata: [
                "rounds": "\(total.rounds)", "usage": "\(total.usage)", "days": "\(settings.days)",
            ])
        }
        return total
    }
}
