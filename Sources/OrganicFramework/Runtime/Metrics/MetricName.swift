/// The names of the node's metrics (Docs/OperatorGuide.md lists each with its labels; the
/// Grafana dashboard in Docs/grafana reads them). Units are in the names; labels are bounded:
/// endpoints and subnets by the configuration, miners by the metagraph, the rest by enums.
enum MetricName {
    // Public requests, counted and timed by the route (PublicAPI).
    static let requests = "organic_requests_total"
    static let requestDuration = "organic_request_duration_seconds"
    // Miners, per attempt of a query round.
    static let minerAttempts = "organic_miner_attempts_total"
    static let minerDuration = "organic_miner_request_duration_seconds"
    static let minerFirstChunk = "organic_miner_time_to_first_chunk_seconds"
    // Rounds and synthetic queries.
    static let rounds = "organic_rounds_total"
    static let syntheticQueries = "organic_synthetic_queries_total"
    // Credits, in thousandths of a credit (exact integers).
    static let creditsReserved = "organic_credits_reserved_millicredits_total"
    static let creditsCharged = "organic_credits_charged_millicredits_total"
    static let creditsRefunded = "organic_credits_refunded_millicredits_total"
    // Settlement (Keys/SettlementService): the backlog that a crash would leave uncharged.
    static let settlementsUnwritten = "organic_settlements_unwritten"
    static let settlementLag = "organic_settlement_lag_seconds"
    static let settlementWaits = "organic_settlement_waits_total"
    static let usageLinesDropped = "organic_usage_lines_dropped_total"
    // Weight setting.
    static let weightSettings = "organic_weight_set_attempts_total"
    static let weightLastSuccess = "organic_weight_set_last_success_timestamp_seconds"
    // Several instances on PostgreSQL.
    static let leader = "organic_leader"
    // Read from the scheduler and the score board at scrape time.
    static let queueDepth = "organic_queue_depth"
    static let queueAdmitted = "organic_queue_admitted_total"
    static let queueShed = "organic_queue_shed_total"
    static let miners = "organic_miners"
    static let minerInFlight = "organic_miner_in_flight"
    static let minerRecentScore = "organic_miner_recent_score"
    static let minerScore = "organic_miner_score"
    static let minerWeight = "organic_miner_weight"
}
