import Foundation
import Logging

/// The weights' window over every instance's scores (PostgreSQL, several instances): this
/// instance's completed periods from its book, plus the other instances' completed periods
/// from `score_periods`. For each hotkey, endpoint and period the instances' score sums and
/// round counts are added, so a period's mean is the mean over every round any instance
/// scored (as if one node had scored them all). Open periods are not used by weights on any
/// instance. Another instance's period counts once that instance has stored it: at the period
/// boundary, or within `scoring.flushSeconds` of it.
struct SharedScoreWindow: Sendable {
    let book: ScoreBook
    let store: PostgresPeriodStore
    let logger: Logger

    /// The merged window; nil when the database cannot be read (the caller uses its own book).
    func window(at now: Date) async -> ScoreWindow? {
        let snapshot = book.snapshot(at: now)
        var merged: [ScoreBook.Key: [Int64: PeriodRow]] = [:]
        for (key, periods) in snapshot.history {
            let uid = snapshot.uids[key.hotkey] ?? 0
            for period in periods {
                merged[key, default: [:]][period.period] = PeriodRow(hotkey: key.hotkey, endpoint: key.endpoint, period: period.period, uid: uid,
                                                                      sum: period.mean * Double(period.rounds), rounds: period.rounds)
            }
        }
        do {
            for row in try await store.loadOthers(periodSeconds: book.periodSeconds, oldestKept: snapshot.oldestKeptPeriod, before: snapshot.period) {
                let key = ScoreBook.Key(hotkey: row.hotkey, endpoint: row.endpoint)
                if var mine = merged[key]?[row.period] {
                    if row.rounds > mine.rounds { mine.uid = row.uid }
                    mine.sum += row.sum
                    mine.rounds += row.rounds
                    merged[key]?[row.period] = mine
                } else {
                    merged[key, default: [:]][row.period] = row
                }
            }
        } catch {
            logger.warning("cannot read the other instances' scores; weights use this instance's only", metadata: ["error": "\(error)"])
            return nil
        }
        let all = ScoreBook(periodSeconds: book.periodSeconds, periodsKept: book.periodsKept, now: now)
        all.restore(merged.values.flatMap(\.values), now: now)
        return all.window(at: now)
    }
}
