/// Every miner's health, by miner id (see ``MinerRoster``): cooldowns on the monotonic uptime
/// scale, failure counts, when it was last chosen, and the moving averages organic ranking reads.
/// Plain values in one array, so that a selection reads them without reference counting.
struct MinerHealthBook {
    struct Record {
        var consecutiveFailures = 0
        /// When the cooldown ends.
        var coolingUntil: Uptime?
        /// When it was last chosen (``Uptime/distantPast`` before the first time).
        var lastChosen = Uptime.distantPast
        var successes = 0
        var failures = 0
        /// Moving averages fed by scored rounds.
        var recentScore = 0.5
        var recentLatencyRatio = 0.5

        @inline(__always)
        func isCooling(at now: Uptime) -> Bool {
            guard let until = coolingUntil else { return false }
            return until > now
        }
    }

    private(set) var records: [Record] = []
    /// The hotkey holding each id (nil when free), so that a late call with an id its hotkey
    /// no longer holds changes nothing.
    private var holders: [String?] = []
    private var idByHotkey: [String: Int] = [:]

    /// Takes the roster's ids: fresh ones start with a clean record.
    mutating func adopt(_ roster: MinerRoster) {
        if records.count < roster.idCount {
            records.append(contentsOf: repeatElement(Record(), count: roster.idCount - records.count))
            holders.append(contentsOf: repeatElement(nil, count: roster.idCount - holders.count))
        }
        for id in roster.fresh { records[id] = Record() }
        for (hotkey, id) in roster.idByHotkey { holders[id] = hotkey }
        idByHotkey = roster.idByHotkey
    }

    /// Drops a departed miner's id (nothing is in flight to it any more).
    mutating func forget(_ id: Int) {
        if let hotkey = holders[id] { idByHotkey[hotkey] = nil }
        holders[id] = nil
    }

    @inline(__always)
    subscript(id: Int) -> Record {
        get { records[id] }
        _modify { yield &records[id] }
    }

    /// Applies an attempt's outcome to the miner holding `id`. Returns whether it ended a
    /// cooldown still running (a success), which may free the miner for waiting work.
    /// The clock is read only when the outcome needs the time (most successes do not).
    mutating func record(_ result: MinerSelector.AttemptResult, id: Int, hotkey: String, clock: any NodeClock,
                         policy: MinerSelector.Policy) -> Bool {
        guard holders.indices.contains(id), holders[id] == hotkey else { return false }
        switch result {
        case .success:
            let wasCooling = records[id].coolingUntil.map { $0 > clock.uptime() } ?? false
            records[id].consecutiveFailures = 0
            records[id].coolingUntil = nil
            records[id].successes += 1
            return wasCooling
        case .busy:
            records[id].coolingUntil = clock.uptime() + policy.busyBackoff
        case .failure:
            records[id].consecutiveFailures += 1
            records[id].failures += 1
            records[id].coolingUntil = clock.uptime() + MinerSelector.cooldown(afterFailures: records[id].consecutiveFailures, policy: policy)
        }
        return false
    }

    /// Feeds a scored result into the miner's moving averages.
    mutating func recordScore(hotkey: String, score: Double, latencyRatio: Double) {
        guard let id = idByHotkey[hotkey] else { return }
        records[id].recentScore += 0.1 * (min(max(score, 0), 1) - records[id].recentScore)
        records[id].recentLatencyRatio += 0.1 * (min(max(latencyRatio, 0), 2) - records[id].recentLatencyRatio)
    }
}
