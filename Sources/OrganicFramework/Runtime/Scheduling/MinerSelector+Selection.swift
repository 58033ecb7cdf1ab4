/// Ranking and choosing miners within a lane; the lane and the health book are locked by the caller.
extension MinerSelector {
    /// Picks up to `count` distinct candidates of the lane for `traffic` and reserves them
    /// (one more in flight each, chosen now). See the ranking in the type's documentation.
    func select(_ state: inout LaneState, _ book: inout MinerHealthBook, count: Int, excluding excluded: Set<String>,
                traffic: AdmissionTicket.Traffic, now: Uptime) -> [Neuron] {
        guard count > 0 else { return [] }
        state.listsLoads = true
        let weights = policy.selection
        // Only a synthetic round of several miners looks beyond the best `count` (see MinerChoice).
        let spread = traffic == .synthetic && count > 1
        var ranked = state.ranked
        state.ranked = []
        ranked.removeAll(keepingCapacity: true)
        ranked.reserveCapacity(spread ? state.candidates.count : count)
        // Plain buffers and a local generator: this loop runs over every candidate on every admission.
        var random = state.random
        let excludes = !excluded.isEmpty, organic = traffic == .organic
        state.candidates.withUnsafeBufferPointer { candidates in
            state.loads.withUnsafeBufferPointer { loads in
                book.records.withUnsafeBufferPointer { records in
                    for position in candidates.indices {
                        let id = candidates[position].id
                        let inFlight = loads[id].inFlight, capacity = loads[id].capacity
                        guard inFlight < capacity else { continue }
                        if records[id].isCooling(at: now) { continue }
                        if excludes, excluded.contains(state.neurons[candidates[position].neuron].hotkey) { continue }
                        var rank = Double(inFlight) * loads[id].loadPerRequest
                        if organic {
                            rank += weights.score * (1 - records[id].recentScore) + weights.latency * records[id].recentLatencyRatio
                                + weights.randomness * random.unitInterval()
                        }
                        let candidate = RankedCandidate(position: position, rank: rank, lastChosen: records[id].lastChosen,
                                                        tie: random.next())
                        if spread { ranked.append(candidate) } else { MinerChoice.keepBest(&ranked, candidate, count: count) }
                    }
                }
            }
        }
        let chosen = spread ? MinerChoice.spread(&ranked, count: count, random: &random) : ranked.count
        state.random = random
        var neurons: [Neuron] = []
        neurons.reserveCapacity(chosen)
        for i in 0..<chosen {
            let candidate = state.candidates[ranked[i].position]
            state.loads[candidate.id].inFlight += 1
            book[candidate.id].lastChosen = now
            neurons.append(state.neuron(candidate))
        }
        state.ranked = ranked
        return neurons
    }

    /// Whether any candidate of the lane could take work right now.
    func hasFreeCapacity(_ state: LaneState, _ book: MinerHealthBook, now: Uptime) -> Bool {
        state.candidates.contains { candidate in
            let load = state.loads[candidate.id]
            return load.inFlight < load.capacity && !book[candidate.id].isCooling(at: now)
        }
    }
}

/// A candidate with free capacity and its rank (lower goes first).
struct RankedCandidate {
    /// Its index in ``LaneState/candidates``.
    var position: Int
    var rank: Double
    var lastChosen: Uptime
    /// Breaks ties at random.
    var tie: UInt64

    @inline(__always)
    static func precedes(_ a: RankedCandidate, _ b: RankedCandidate) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        if a.lastChosen != b.lastChosen { return a.lastChosen < b.lastChosen }
        return a.tie < b.tie
    }
}

/// Which ranked candidates a query takes: the `count` best by rank, then least recent use, ties
/// at random; a synthetic round of several miners spreads its partners instead.
enum MinerChoice {
    /// Keeps in `best` (sorted, best first) the `count` best of the candidates offered so far.
    @inline(__always)
    static func keepBest(_ best: inout [RankedCandidate], _ candidate: RankedCandidate, count: Int) {
        if best.count == count {
            guard RankedCandidate.precedes(candidate, best[count - 1]) else { return }
            best[count - 1] = candidate
        } else {
            best.append(candidate)
        }
        var i = best.count - 1
        while i > 0, RankedCandidate.precedes(best[i], best[i - 1]) {
            best.swapAt(i, i - 1)
            i -= 1
        }
    }

    /// For a synthetic round of `count` > 1 miners out of every candidate in `ranked`: moves the
    /// chosen to the front and returns how many there are. The best one leads and its partners
    /// are drawn at random among the least loaded of the rest, so pairings change every round:
    /// picking all of them by recency would pair the same miners again and again (miners chosen
    /// together share a last-use time), and a colluding pair could stay together. Without enough
    /// of those, the `count` best. O(candidates × count).
    static func spread(_ ranked: inout [RankedCandidate], count: Int, random: inout OrganicRandom) -> Int {
        let n = ranked.count
        guard n > count else {
            ranked.sort(by: RankedCandidate.precedes)
            return n
        }
        return ranked.withUnsafeMutableBufferPointer { ranked in
            moveBest(in: ranked, to: 0)
            // The least loaded of the rest, moved right behind the leader.
            var lightest = Double.infinity
            for i in 1..<n { lightest = min(lightest, ranked[i].rank) }
            var pool = 1
            for i in 1..<n where ranked[i].rank <= lightest {
                ranked.swapAt(i, pool)
                pool += 1
            }
            if pool - 1 >= count - 1 {
                // A random draw of count - 1 from the pool (a partial Fisher–Yates shuffle).
                for i in 1..<count {
                    ranked.swapAt(i, Int.random(in: i..<pool, using: &random))
                }
                return count
            }
            for i in 1..<count { moveBest(in: ranked, to: i) }
            return count
        }
    }

    /// Swaps the best of `ranked[start...]` into `start`.
    @inline(__always)
    private static func moveBest(in ranked: UnsafeMutableBufferPointer<RankedCandidate>, to start: Int) {
        var best = start
        for i in (start + 1)..<ranked.count where RankedCandidate.precedes(ranked[i], ranked[best]) { best = i }
        ranked.swapAt(start, best)
    }
}

extension OrganicRandom {
    /// A uniform draw from [0, 1) with 53 random bits.
    @inline(__always)
    mutating func unitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
