extension NodeConfiguration {
    /// `retention:`: how long rounds, round results and the usage log are kept. Older rows are
    /// deleted in small batches (one transaction each, with a pause between), usage first
    /// folded into per key, day and endpoint totals (`usage_daily`), so usage reports stay the same.
    public struct Retention: Codable, Sendable, Equatable {
        /// Days kept; 0 keeps everything.
        public var days = 30.0
        /// Seconds between two pruning passes.
        public var intervalSeconds = 3600.0
        /// Rows deleted per transaction (per table).
        public var batchRows = 500
        /// Pause between two batches, in milliseconds, so that pruning never holds the database long.
        public var pauseMilliseconds = 50
        public init() {}

        /// The ranges `organic config check` and a starting node enforce.
        func validate() throws(ConfigurationError) {
            guard days.isFinite, days >= 0, days <= 36_600 else { throw ConfigurationError("retention.days must be in [0, 36600]") }
            guard intervalSeconds.isFinite, intervalSeconds >= 1, intervalSeconds <= 86_400 else {
                throw ConfigurationError("retention.intervalSeconds must be in [1, 86400]")
            }
            guard (1...10_000).contains(batchRows) else { throw ConfigurationError("retention.batchRows must be 1...10000") }
            guard (0...10_000).contains(pauseMilliseconds) else { throw ConfigurationError("retention.pauseMilliseconds must be 0...10000") }
        }
    }
}
