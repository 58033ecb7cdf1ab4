package import Foundation
import Synchronization

/// The in-memory running means of every (miner hotkey, endpoint) for the current period, and
/// the frozen means of the last K periods.
///
/// Recording is a dictionary update under a lock, cheap enough for every scored answer. When
/// a score arrives for a later period (or ``advance(to:)`` is called at a boundary), every
/// running mean is frozen into a ``PeriodMean`` and the oldest periods beyond K are dropped.
/// ``takeUnsaved()`` hands the rows that changed since the last call to the persistence
/// service; ``restore(_:now:)`` rebuilds the book from them after a restart.
package final class ScoreBook: Sendable {
    /// Scores are keyed by hotkey, never by uid: a new hotkey at a reused uid starts fresh.
    package struct Key: Hashable, Sendable {
        package var hotkey: String
        package var endpoint: String

        package init(hotkey: String, endpoint: String) {
            self.hotkey = hotkey
            self.endpoint = endpoint
        }
    }

    /// One (hotkey, endpoint)'s running sum in the current period.
    package struct RunningMean: Sendable, Hashable {
        package var uid: UInt16
        package var sum: Double
        package var count: Int
        /// Changed since the last flush.
        var dirty: Bool

        package var mean: Double { count > 0 ? sum / Double(count) : 0 }
    }

    /// A copy of the book at one moment, for computing standings and weights without the lock.
    package struct Snapshot: Sendable {
        /// The current (open) period.
        package var period: Int64
        package var periodsKept: Int
        package var current: [Key: RunningMean]
        /// Frozen period means, oldest first, all within the last ``periodsKept`` periods.
        package var history: [Key: [PeriodMean]]
        /// The latest uid each hotkey was seen at.
        package var uids: [String: UInt16]

        /// The oldest period still kept: the window is `[period - K, period - 1]`.
        package var oldestKeptPeriod: Int64 { period - Int64(periodsKept) }
    }

    private struct State {
        var period: Int64
        var current: [Key: RunningMean] = [:]
        var history: [Key: [PeriodMean]] = [:]
        var uids: [String: UInt16] = [:]
        /// Frozen rows not yet handed to the store.
        var unsaved: [PeriodRow] = []
        /// The history summed per key, kept in step with it for the weight computation.
        var window: ScoreWindow

        init(period: Int64) {
            self.period = period
            window = ScoreWindow(period: period)
        }
    }

    package let periodSeconds: Double
    package let periodsKept: Int
    private let state: Mutex<State>

    package init(periodSeconds: Double, periodsKept: Int, now: Date) {
        self.periodSeconds = periodSeconds
        self.periodsKept = max(periodsKept, 1)
        state = Mutex(State(period: ScoringPeriods.index(of: now, periodSeconds: periodSeconds)))
    }

    /// Adds one round score (clamped to [0, 1]; non-finite scores are ignored) to the running
    /// mean of `miner` on `endpoint` for the period holding `date`. Scores dated before the
    /// current period (a clock stepping back) count towards the current one.
    package func record(_ score: Double, miner: MinerIdentity, endpoint: String, at date: Date) {
        guard score.isFinite else { return }
        let value = min(max(score, 0), 1)
        let period = ScoringPeriods.index(of: date, periodSeconds: periodSeconds)
        let key = Key(hotkey: miner.hotkey, endpoint: endpoint)
        state.withLock { state in
            if period > state.period { Self.rollover(&state, to: period, kept: periodsKept) }
            Self.add(value, uid: miner.uid, to: &state.current[key, default: RunningMean(uid: miner.uid, sum: 0, count: 0, dirty: true)])
        }
    }

    private static func add(_ value: Double, uid: UInt16, to running: inout RunningMean) {
        running.sum += value
        running.count += 1
        running.uid = uid
        running.dirty = true
    }

    /// Freezes the current period if `date` lies in a later one. Returns whether it did.
    @discardableResult
    package func advance(to date: Date) -> Bool {
        let period = ScoringPeriods.index(of: date, periodSeconds: periodSeconds)
        return state.withLock { state in
            guard period > state.period else { return false }
            Self.rollover(&state, to: period, kept: periodsKept)
            return true
        }
    }

    private static func rollover(_ state: inout State, to period: Int64, kept: Int) {
        let frozen = state.period
        for (key, running) in state.current where running.count > 0 {
            state.history[key, default: []].append(PeriodMean(period: frozen, mean: running.mean, rounds: running.count))
            state.unsaved.append(PeriodRow(hotkey: key.hotkey, endpoint: key.endpoint, period: frozen, uid: running.uid,
                                           sum: running.sum, rounds: running.count))
            state.uids[key.hotkey] = running.uid
        }
        state.current.removeAll(keepingCapacity: true)
        state.period = period
        state.window.period = period
        prune(&state, kept: kept, frozen: frozen)
    }

    /// Drops the periods that left the window and sums again the keys whose periods changed
    /// (just frozen, or pruned), in one pass. The other keys keep their sums: all their periods
    /// are still inside the window.
    private static func prune(_ state: inout State, kept: Int, frozen: Int64) {
        let oldest = state.period - Int64(kept)
        var emptied: [Key] = []
        var index = state.history.startIndex
        while index != state.history.endIndex {
            let stale = state.history.values[index].contains { $0.period < oldest }
            if stale { state.history.values[index].removeAll { $0.period < oldest } }
            // Only a period frozen just now can be the frozen one (history holds earlier periods only).
            if stale || state.history.values[index].last?.period == frozen {
                let key = state.history.keys[index]
                state.window.update(key, periods: state.history.values[index], periodsKept: kept)
                if state.history.values[index].isEmpty { emptied.append(key) }
            }
            state.history.formIndex(after: &index)
        }
        for key in emptied { state.history[key] = nil }
        let live = Set(state.history.keys.map(\.hotkey)).union(state.current.keys.map(\.hotkey))
        if live.count < state.uids.count { state.uids = state.uids.filter { live.contains($0.key) } }
    }

    /// The rows changed since the last call: periods frozen since then, then the current
    /// period's running sums that changed. Pass them back to ``returnUnsaved(_:)`` if they
    /// could not be stored.
    package func takeUnsaved() -> [PeriodRow] {
        state.withLock { state in
            var rows = state.unsaved
            state.unsaved.removeAll()
            for key in Array(state.current.keys) {
                guard var running = state.current[key], running.dirty else { continue }
                running.dirty = false
                state.current[key] = running
                rows.append(PeriodRow(hotkey: key.hotkey, endpoint: key.endpoint, period: state.period, uid: running.uid,
                                      sum: running.sum, rounds: running.count))
            }
            return rows
        }
    }

    /// Puts back rows a failed flush could not store, so the next flush retries them.
    package func returnUnsaved(_ rows: [PeriodRow]) {
        state.withLock { state in
            state.unsaved.insert(contentsOf: rows, at: 0)
        }
    }

    /// Loads stored rows after a restart: rows of the period holding `now` become the running
    /// sums, rows of the K periods before it become history, older rows are ignored.
    package func restore(_ rows: [PeriodRow], now: Date) {
        let period = ScoringPeriods.index(of: now, periodSeconds: periodSeconds)
        state.withLock { state in
            if period > state.period { Self.rollover(&state, to: period, kept: periodsKept) }
            let oldest = state.period - Int64(periodsKept)
            var changed = Set<Key>()
            for row in rows.sorted(by: { $0.period < $1.period }) where row.rounds > 0 {
                let key = Key(hotkey: row.hotkey, endpoint: row.endpoint)
                if row.period == state.period {
                    state.current[key] = RunningMean(uid: row.uid, sum: row.sum, count: row.rounds, dirty: false)
                } else if row.period >= oldest && row.period < state.period {
                    var periods = state.history[key] ?? []
                    periods.removeAll { $0.period == row.period }
                    periods.append(PeriodMean(period: row.period, mean: row.sum / Double(row.rounds), rounds: row.rounds))
                    state.history[key] = periods
                    changed.insert(key)
                } else {
                    continue
                }
                state.uids[row.hotkey] = row.uid
            }
            for key in changed { state.window.update(key, periods: state.history[key], periodsKept: periodsKept) }
        }
    }

    /// A consistent copy of the book; freezes the current period first if `date` is past it.
    package func snapshot(at date: Date) -> Snapshot {
        advance(to: date)
        return state.withLock { state in
            Snapshot(period: state.period, periodsKept: periodsKept, current: state.current, history: state.history, uids: state.uids)
        }
    }

    /// The completed periods summed per key, for the weights; freezes the current period first
    /// if `date` is past it. A copy: arrays are shared until the book next changes its history.
    func window(at date: Date) -> ScoreWindow {
        advance(to: date)
        return state.withLock { $0.window }
    }

    /// The current (open) period.
    package var currentPeriod: Int64 { state.withLock { $0.period } }

    /// The start of the period after the one holding `date`.
    package func nextBoundary(after date: Date) -> Date {
        ScoringPeriods.start(of: ScoringPeriods.index(of: date, periodSeconds: periodSeconds) + 1, periodSeconds: periodSeconds)
    }
}

/// One completed period's mean for one (hotkey, endpoint).
package struct PeriodMean: Sendable, Hashable, Codable {
    package var period: Int64
    package var mean: Double
    /// Scored rounds in the period.
    package var rounds: Int

    package init(period: Int64, mean: Double, rounds: Int) {
        self.period = period
        self.mean = mean
        self.rounds = rounds
    }
}

/// One (hotkey, endpoint, period)'s sum as stored: enough to resume a running mean.
package struct PeriodRow: Sendable, Hashable, Codable {
    package var hotkey: String
    package var endpoint: String
    package var period: Int64
    package var uid: UInt16
    package var sum: Double
    package var rounds: Int

    package init(hotkey: String, endpoint: String, period: Int64, uid: UInt16, sum: Double, rounds: Int) {
        self.hotkey = hotkey
        self.endpoint = endpoint
        self.period = period
        self.uid = uid
        self.sum = sum
        self.rounds = rounds
    }
}
