package import Logging

/// Logs each vector instead of setting it; for dry runs and for nodes without a chain.
package struct LoggingWeightSetter: WeightSetter {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    package func setWeights(_ submission: WeightSubmission) async throws {
        let pairs = zip(submission.uids, submission.weights).map { "\($0):\($1)" }.joined(separator: " ")
        logger.info("weights", metadata: ["id": "\(submission.id)", "count": "\(submission.uids.count)", "weights": "\(pairs)"])
    }
}
