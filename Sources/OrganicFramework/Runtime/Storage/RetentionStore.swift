import Foundation

/// Deletes rows older than the retention age, one small batch per call, on either backend.
/// Usage rows are folded into `usage_daily` / `usage_daily_units` (per key, UTC day and
/// endpoint) in the same transaction that deletes them.
protocol RetentionStore: Sendable {
    /// Deletes at most `limit` rounds (with their results) and at most `limit` usage rows
    /// (with their units) created before `cutoff`, oldest first, in one transaction.
    func pruneBatch(before cutoff: Date, limit: Int) async throws -> PrunedRows
}

/// What one batch deleted.
struct PrunedRows: Sendable, Equatable {
    var rounds = 0
    var usage = 0

    static func + (a: PrunedRows, b: PrunedRows) -> PrunedRows {
        PrunedRows(rounds: a.rounds + b.rounds, usage: a.usage + b.usage)
    }
}

/// One key's folded usage of one UTC day and endpoint (`usage_daily`).
struct DailyUsageRow: Sendable {
    var day: String
    var endpoint: String
    var requests: Int
    var successes: Int
    var credits: Int64
    var latencySecondsSum: Double
}

extension UsageSummary {
    /// Live summaries plus the folded days: counts and credits add up, latency means are
    /// weighted by requests, so a report reads the same before and after pruning.
    static func merging(_ live: [UsageSummary], daily: [DailyUsageRow],
                        units: [(day: String, endpoint: String, unit: String, quantity: Int)]) -> [UsageSummary] {
        guard !daily.isEmpty else { return live }
        var byKey: [String: UsageSummary] = [:]
        for summary in live { byKey[summary.day + "\u{0}" + summary.endpoint] = summary }
        for row in daily {
            let key = row.day + "\u{0}" + row.endpoint
            var summary = byKey[key] ?? UsageSummary(day: row.day, endpoint: row.endpoint, requests: 0, successes: 0, credits: .zero,
                                                     meanLatencySeconds: 0, units: [:])
            let total = summary.requests + row.requests
            summary.meanLatencySeconds = total > 0
                ? (summary.meanLatencySeconds * Double(summary.requests) + row.latencySecondsSum) / Double(total) : 0
            summary.requests = total
            summary.successes += row.successes
            summary.credits = Credits(millis: summary.credits.millis + row.credits)
            byKey[key] = summary
        }
        for unit in units {
            byKey[unit.day + "\u{0}" + unit.endpoint]?.units[unit.unit, default: 0] += unit.quantity
        }
        return byKey.values.sorted { ($0.day, $0.endpoint) < ($1.day, $1.endpoint) }
    }
}
