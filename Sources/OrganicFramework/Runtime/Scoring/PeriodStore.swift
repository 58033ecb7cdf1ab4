/// Where the score book's period sums survive restarts. SQLite is the built-in backend.
package protocol PeriodStore: Sendable {
    /// Inserts or replaces `rows` (later rows win for the same hotkey, endpoint and period), then
    /// deletes rows older than `oldestKept` or stored with another period length, in one transaction.
    func save(_ rows: [PeriodRow], periodSeconds: Double, oldestKept: Int64) async throws
    /// Rows of periods at or after `oldestKept` stored with this period length.
    func load(periodSeconds: Double, oldestKept: Int64) async throws -> [PeriodRow]
}
