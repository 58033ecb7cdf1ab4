import Foundation
import Logging
import ServiceLifecycle

/// Freezes periods at their boundaries and writes the score book to its store.
///
/// It wakes at every period boundary (to freeze the period and store it at once) and every
/// flush interval in between (to store the open period's running sums), following the injected
/// clock. A crash therefore loses at most one flush interval of scores; a graceful shutdown
/// flushes everything. Rows that fail to store are kept and retried at the next wake-up.
final class ScoringPeriodService: Service {
    let book: ScoreBook
    let store: any PeriodStore
    let flushInterval: Duration
    let clock: any NodeClock
    let logger: Logger

    init(book: ScoreBook, store: any PeriodStore, flushInterval: Duration, clock: any NodeClock, logger: Logger = Logger(label: "organic.scoring", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.book = book
        self.store = store
        self.flushInterval = flushInterval
        self.clock = clock
        self.logger = logger
    }

    /// Loads the stored periods into the book; call once before the node serves.
    func restore() async throws {
        let now = clock.now()
        let oldest = book.currentPeriod - Int64(book.periodsKept)
        let rows = try await store.load(periodSeconds: book.periodSeconds, oldestKept: oldest)
        book.restore(rows, now: now)
    }

    func run() async throws {
        // Wakes at each period boundary, and at least every flush interval.
        await PeriodicWork.run(clock: clock, start: .pausing, pause: {
            let now = self.clock.now()
            let untilBoundary = self.book.nextBoundary(after: now).timeIntervalSince(now)
            return .seconds(double: min(self.flushInterval.seconds, max(untilBoundary, 0.001)))
        }) { await self.tick() }
        await tick()
    }

    /// Freezes the period if it has ended, then stores what changed.
    func tick() async {
        let now = clock.now()
        if book.advance(to: now) {
            logger.debug("scoring period frozen", metadata: ["period": "\(book.currentPeriod - 1)"])
        }
        await flush()
    }

    func flush() async {
        let rows = book.takeUnsaved()
        do {
            try await store.save(rows, periodSeconds: book.periodSeconds, oldestKept: book.currentPeriod - Int64(book.periodsKept))
        } catch {
            book.returnUnsaved(rows)
            logger.error("could not store score periods; will retry", metadata: ["error": "\(error)", "rows": "\(rows.count)"])
        }
    }
}
