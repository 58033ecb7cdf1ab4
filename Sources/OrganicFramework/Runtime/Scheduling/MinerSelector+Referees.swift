extension MinerSelector {
    /// Records that these miners answered the same scored round (for ``acquireReferees(endpoint:count:answerers:excluding:)``).
    package func recordPartners(_ hotkeys: [String]) {
        guard hotkeys.count >= 2 else { return }
        state.withLock { $0.partners.record(hotkeys) }
    }

    /// Reserves up to `count` referees for a round of `endpoint` whose answers disagreed: miners
    /// chosen at random among those with free capacity that did not take part (`excluding`), that
    /// share no coldkey with an answerer (when the metagraph knows coldkeys) and that are not the
    /// usual partner of every answerer. Referees come from the synthetic budget: none are taken
    /// while organic requests wait for the endpoint, and nothing ever waits. Each returned miner
    /// must be passed to ``release(_:endpoint:result:)``.
    package func acquireReferees(endpoint: String, count: Int, answerers: [Neuron], excluding excluded: Set<String>) -> [Neuron] {
        guard count > 0 else { return [] }
        let now = clock.now()
        return state.withLock { state in
            if let queue = state.queues[endpoint], queue.waitingOrganic > 0 { return [] }
            let coldkeys = Set(answerers.compactMap(\.coldkey))
            // Partners usual to every answerer are out; with one answerer, its usual partners are.
            var shunned: Set<String>?
            for answerer in answerers {
                let usual = state.partners.usualPartners(of: answerer.hotkey)
                shunned = shunned.map { $0.intersection(usual) } ?? usual
            }
            let slot = state.slot(for: endpoint)
            let fallback = fallbackCapacity(endpoint)
            let share = state.stakeShare
            var candidates: [Neuron] = []
            do {
                let slotLoads = state.loads[slot]
                for neuron in state.metagraph.neurons where neuron.serves(endpoint) && !excluded.contains(neuron.hotkey) {
                    if let coldkey = neuron.coldkey, coldkeys.contains(coldkey) { continue }
                    if shunned?.contains(neuron.hotkey) == true { continue }
                    let miner = state.miners[neuron.hotkey] ?? MinerState()
                    if let until = miner.coolingUntil, until > now { continue }
                    let load = slotLoads.indices.contains(miner.index) ? slotLoads[miner.index] : EndpointLoad()
                    let capacity = effectiveCapacity(neuron, endpoint: endpoint, declared: load.declared, fallback: fallback, share: load.share(share))
                    guard load.inFlight < capacity else { continue }
                    candidates.append(neuron)
                }
            }
            candidates.shuffle(using: &state.random)
            let chosen = Array(candidates.prefix(count))
            for neuron in chosen { state.begin(neuron.hotkey, slot: slot, at: now) }
            return chosen
        }
    }
}
