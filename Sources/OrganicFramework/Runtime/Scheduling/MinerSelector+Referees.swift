extension MinerSelector {
    /// Records that these miners answered the same scored round (for ``acquireReferees(endpoint:count:answerers:excluding:)``).
    package func recordPartners(_ hotkeys: [String]) {
        guard hotkeys.count >= 2 else { return }
        partners.withLock { $0.record(hotkeys) }
    }

    /// Reserves up to `count` referees for a round of `endpoint` whose answers disagreed: miners
    /// chosen at random among those with free capacity that did not take part (`excluding`), that
    /// share no coldkey with an answerer (when the metagraph knows coldkeys) and that are not the
    /// usual partner of every answerer. Referees come from the synthetic budget: none are taken
    /// while organic requests wait for the endpoint, and nothing ever waits. Each returned miner
    /// must be passed to ``release(_:endpoint:result:)``.
    package func acquireReferees(endpoint: String, count: Int, answerers: [Neuron], excluding excluded: Set<String>) -> [Neuron] {
        guard count > 0 else { return [] }
        let now = clock.uptime()
        let coldkeys = Set(answerers.compactMap(\.coldkey))
        // Partners usual to every answerer are out; with one answerer, its usual partners are.
        let shunned = partners.withLock { ledger in
            answerers.reduce(Set<String>?.none) { shunned, answerer in
                let usual = ledger.usualPartners(of: answerer.hotkey)
                return shunned.map { $0.intersection(usual) } ?? usual
            }
        }
        return withLane(lane(endpoint)) { state, book in
            state.listsLoads = true
            if state.queue.waitingOrganic > 0 { return [] }
            var chosen: [LaneState.Candidate] = []
            for candidate in state.candidates {
                let neuron = state.neuron(candidate)
                if excluded.contains(neuron.hotkey) { continue }
                if let coldkey = neuron.coldkey, coldkeys.contains(coldkey) { continue }
                if shunned?.contains(neuron.hotkey) == true { continue }
                if book[candidate.id].isCooling(at: now) { continue }
                let load = state.loads[candidate.id]
                guard load.inFlight < load.capacity else { continue }
                chosen.append(candidate)
            }
            chosen.shuffle(using: &state.random)
            return chosen.prefix(count).map { candidate in
                state.loads[candidate.id].inFlight += 1
                book[candidate.id].lastChosen = now
                return state.neuron(candidate)
            }
        }
    }
}
