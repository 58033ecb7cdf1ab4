import Foundation
import Logging
import ServiceLifecycle

/// Sets weights at a fixed cadence: computes the vector from the score board and hands it to
/// the ``WeightSetter``, retrying with exponential backoff when that fails.
///
/// Each setting carries an id made of the interval number and a hash of the vector, so a retry
/// is recognisable as the same setting, and a vector already set in this interval is not set
/// again. An empty vector (no miner has a score yet) is skipped.
final class WeightSettingService: Service {
    let board: ScoreBoard
    let setter: any WeightSetter
    let interval: Duration
    let maxAttempts: Int
    let retryBase: Duration
    let clock: any NodeClock
    let logger: Logger
    /// Counts attempts and keeps the last success time; nil records nothing.
    let metrics: WeightMetrics?
    private let lastSet = Locked<String?>(nil)

    init(board: ScoreBoard, setter: any WeightSetter, interval: Duration, maxAttempts: Int, retryBase: Duration,
         clock: any NodeClock, logger: Logger = Logger(label: "organic.scoring", factory: { _ in SwiftLogNoOpLogHandler() }),
         metrics: WeightMetrics? = nil) {
        self.metrics = metrics
        self.board = board
        self.setter = setter
        self.interval = interval
        self.maxAttempts = max(maxAttempts, 1)
        self.retryBase = retryBase
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        // setOnce throws only when shutdown cancels its retry backoff; the loop then ends.
        await PeriodicWork.run(every: interval, clock: clock) { _ = try? await self.setOnce() }
    }

    /// The pause before attempt `n + 1` after `n` failed attempts: base × 2^(n-1), at most 10 minutes.
    func backoff(afterFailures n: Int) -> Duration {
        .seconds(double: min(retryBase.seconds * pow(2, Double(min(max(n - 1, 0), 30))), 600))
    }

    /// Computes and sets the weights once; returns the submission, or nil when there was
    /// nothing to set or every attempt failed. Throws only on cancellation.
    @discardableResult
    func setOnce() async throws -> WeightSubmission? {
        let report = await board.weights()
        guard !report.uids.isEmpty else {
            logger.info("no miner has a score yet; weights not set")
            return nil
        }
        let number = Int64((report.computedAt.timeIntervalSince1970 / max(interval.seconds, 0.001)).rounded(.down))
        let submission = WeightSubmission(id: WeightSubmission.id(for: report.vector, interval: number), createdAt: report.computedAt,
                                          netuid: report.netuid, vector: report.vector)
        if lastSet.withLock({ $0 }) == submission.id { return submission }
        for attempt in 1...maxAttempts {
            do {
                try await setter.setWeights(submission)
                lastSet.withLock { $0 = submission.id }
                metrics?.record(.success, at: clock.now())
                logger.info("weights set", metadata: ["id": "\(submission.id)", "uids": "\(submission.uids.count)"])
                return submission
            } catch {
                metrics?.record(.failure, at: clock.now())
                logger.warning("setting weights failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if attempt < maxAttempts { try await clock.sleep(for: backoff(afterFailures: attempt)) }
            }
        }
        logger.error("giving up on this weight setting until the next interval", metadata: ["id": "\(submission.id)"])
        return nil
    }
}
