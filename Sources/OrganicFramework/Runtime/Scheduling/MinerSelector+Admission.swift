import DequeModule
import Foundation

extension MinerSelector {
    /// Reserves miners for a request, waiting in a queue when none is free.
    ///
    /// Organic requests go before synthetic ones, except while the endpoint's share of scored
    /// dispatches is below ``SchedulingPolicy/syntheticFloor``: then synthetic requests go first
    /// (scored organic requests count toward the floor). Within the organic class, requests of
    /// different flows (API keys) are served by deficit round robin in proportion to their
    /// weights. A request that cannot start within its `maxWait` is refused: at once when the
    /// estimated wait already exceeds it, otherwise when the time runs out. Full queues refuse
    /// with ``AdmissionRefusal/queueFull(retryAfterSeconds:)``, a full node with
    /// ``AdmissionRefusal/overloaded(retryAfterSeconds:)``. Cancelling the waiting task removes
    /// the request from the queue, and so does the ticket's ``AdmissionTicket/disconnect`` signal
    /// (refusing with ``AdmissionRefusal/clientDisconnected``).
    public func admit(_ ticket: AdmissionTicket, scored: Bool) async throws -> [Neuron] {
        // A caller already gone (say, while its body was read) takes no miner.
        if ticket.disconnect?.isDisconnected == true { throw refuseDeparted(ticket) }
        let enqueuedAt = clock.now()
        var queuedID: UInt64 = 0
        if let miners = try admitNow(ticket, scored: scored, now: enqueuedAt, queuedID: &queuedID) {
            return miners
        }
        let observation = observeDisconnect(of: ticket, waiter: queuedID)
        defer { if let observation { ticket.disconnect?.stopObserving(observation) } }
        return try await waitForTurn(queuedID, ticket: ticket, enqueuedAt: enqueuedAt)
    }

    /// Counts a caller that left before admission; returns the refusal to throw.
    func refuseDeparted(_ ticket: AdmissionTicket) -> AdmissionRefusal {
        state.withLock { $0.queues[ticket.endpoint, default: EndpointQueue()].counters.disconnected += 1 }
        return .clientDisconnected
    }

    /// Withdraws waiter `id` as soon as its caller goes (at once if already gone); returns the
    /// observation to stop once the wait ends.
    func observeDisconnect(of ticket: AdmissionTicket, waiter id: UInt64) -> UInt64? {
        guard let signal = ticket.disconnect else { return nil }
        let token = signal.observe { [self] in finish(id, with: .failure(AdmissionRefusal.clientDisconnected)) }
        if token == nil { finish(id, with: .failure(AdmissionRefusal.clientDisconnected)) }
        return token
    }

    /// Grants at once (returns the miners), refuses (throws) or queues (returns nil and sets
    /// `queuedID`). Synchronous on purpose: no lock closure or enum payload lives in the async
    /// frame of ``admit(_:scored:)``, which sidesteps a task-allocator ordering fault seen with
    /// Swift 6.3 debug builds.
    func admitNow(_ ticket: AdmissionTicket, scored: Bool, now: Date, queuedID: inout UInt64) throws -> [Neuron]? {
        let decision = state.withLock { state in enqueueOrGrant(&state, ticket: ticket, scored: scored, now: now) }
        switch decision {
        case .granted(let miners): return miners
        case .refused(let refusal): throw refusal
        case .queued(let id):
            queuedID = id
            return nil
        }
    }

    enum Decision {
        case granted([Neuron])
        case refused(AdmissionRefusal)
        case queued(UInt64)
    }

    func enqueueOrGrant(_ state: inout State, ticket: AdmissionTicket, scored: Bool, now: Date) -> Decision {
        guard hasServingMiner(state, endpoint: ticket.endpoint) else { return .refused(.noMiners(retryAfterSeconds: 5)) }
        let scheduling = policy.scheduling
        var queue = state.queues[ticket.endpoint] ?? EndpointQueue()
        defer { state.queues[ticket.endpoint] = queue }
        let floorOwed = queue.scoredShare < scheduling.syntheticFloor
        let aheadOfUs = switch ticket.traffic {
        case .organic: queue.waitingOrganic + (floorOwed ? queue.waitingSynthetic : 0)
        case .synthetic: queue.waitingSynthetic + (floorOwed ? 0 : queue.waitingOrganic)
        }
        if aheadOfUs == 0 {
            let miners = select(&state, endpoint: ticket.endpoint, count: ticket.miners, excluding: [], traffic: ticket.traffic, now: now)
            if !miners.isEmpty {
                queue.recordDispatch(scored: scored && miners.count > 1 || ticket.traffic == .synthetic, window: scheduling.floorWindow)
                queue.counters.admittedImmediately += 1
                return .granted(miners)
            }
        }
        // Every serving miner cooling down beyond the deadline: say so now rather than at the deadline.
        if let usable = earliestUsable(state, endpoint: ticket.endpoint, now: now), usable.timeIntervalSince(now) > ticket.maxWait.seconds {
            return .refused(.noMiners(retryAfterSeconds: max(1, Int(usable.timeIntervalSince(now).rounded(.up)))))
        }
        let estimate = estimatedWait(state, queue: queue, ahead: aheadOfUs, endpoint: ticket.endpoint, now: now)
        let retryAfter = max(1, Int((estimate ?? 1).rounded(.up)))
        if state.totalQueued >= scheduling.maxTotalQueued {
            queue.counters.shedOverloaded += 1
            return .refused(.overloaded(retryAfterSeconds: retryAfter))
        }
        let depth = ticket.traffic == .organic ? queue.waitingOrganic : queue.waitingSynthetic
        if depth >= scheduling.maxQueueDepth {
            queue.counters.shedQueueFull += 1
            return .refused(.queueFull(retryAfterSeconds: retryAfter))
        }
        if let estimate, estimate > ticket.maxWait.seconds {
            queue.counters.shedDeadline += 1
            return .refused(.deadlineExceeded(retryAfterSeconds: retryAfter))
        }
        state.nextTicket += 1
        let id = state.nextTicket
        state.waiters[id] = Waiter(ticket: ticket, scored: scored, enqueuedAt: now)
        state.totalQueued += 1
        switch ticket.traffic {
        case .organic:
            queue.organic.enqueue(id, flow: ticket.flow, weight: ticket.weight)
            queue.waitingOrganic += 1
        case .synthetic:
            queue.synthetic.append(id)
            queue.waitingSynthetic += 1
        }
        return .queued(id)
    }

    /// When the first serving miner leaves its cooldown; `now` when one is not cooling (only busy).
    func earliestUsable(_ state: State, endpoint: String, now: Date) -> Date? {
        var earliest: Date?
        for neuron in state.metagraph.neurons where neuron.serves(endpoint) && capacity(state, neuron, endpoint: endpoint) > 0 {
            let until = state.miners[neuron.hotkey]?.coolingUntil.map { max($0, now) } ?? now
            earliest = min(earliest ?? until, until)
        }
        return earliest
    }

    /// Expected seconds until a request with `ahead` requests before it starts, from the mean
    /// service time and the free-or-busy capacity of healthy miners; nil before any measurement.
    func estimatedWait(_ state: State, queue: EndpointQueue, ahead: Int, endpoint: String, now: Date) -> Double? {
        guard let service = queue.meanServiceSeconds else { return nil }
        var capacity = 0
        for neuron in state.metagraph.neurons where neuron.serves(endpoint) {
            if let until = state.miners[neuron.hotkey]?.coolingUntil, until > now { continue }
            capacity += self.capacity(state, neuron, endpoint: endpoint)
        }
        guard capacity > 0 else { return nil }
        return Double(ahead + 1) * service / Double(capacity)
    }

    /// Waits for a grant, racing the deadline; re-checks capacity every poll interval so that
    /// miners leaving their cooldown are noticed without a release event.
    func waitForTurn(_ id: UInt64, ticket: AdmissionTicket, enqueuedAt: Date) async throws -> [Neuron] {
        let deadline = enqueuedAt.addingTimeInterval(ticket.maxWait.seconds)
        let poll = policy.scheduling.pollInterval
        return try await withThrowingTaskGroup(of: [Neuron]?.self) { group in
            group.addTask { try await self.grant(of: id) }
            group.addTask {
                while true {
                    let remaining = deadline.timeIntervalSince(self.clock.now())
                    if remaining <= 0 { break }
                    try await self.clock.sleep(for: min(poll, .seconds(double: remaining)))
                    self.pump()
                }
                self.finish(id, with: .failure(AdmissionRefusal.deadlineExceeded(retryAfterSeconds: 1)))
                return nil
            }
            while let result = try await group.next() {
                if let miners = result {
                    group.cancelAll()
                    return miners
                }
            }
            throw AdmissionRefusal.cancelled
        }
    }

    /// Suspends until the waiter `id` is granted or refused; cancellation withdraws it.
    func grant(of id: UInt64) async throws -> [Neuron] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Neuron], any Error>) in
                let ready: Result<[Neuron], any Error>? = state.withLock { state in
                    guard var waiter = state.waiters[id] else { return .failure(AdmissionRefusal.cancelled) }
                    if let outcome = waiter.outcome {
                        state.waiters[id] = nil
                        return outcome
                    }
                    waiter.continuation = continuation
                    state.waiters[id] = waiter
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            finish(id, with: .failure(AdmissionRefusal.cancelled))
        }
    }

    /// Ends a waiter that is still queued (deadline, cancellation or disconnect); no effect once granted.
    func finish(_ id: UInt64, with outcome: Result<[Neuron], any Error>) {
        let continuation: CheckedContinuation<[Neuron], any Error>? = state.withLock { state in
            guard let waiter = state.waiters[id], waiter.outcome == nil else { return nil }
            // Its id stays in the queue until it reaches the head or a compaction.
            withdraw(&state, waiter: waiter)
            compactIfMostlyDead(&state, endpoint: waiter.ticket.endpoint)
            if case .failure(let error) = outcome, let refusal = error as? AdmissionRefusal {
                var queue = state.queues[waiter.ticket.endpoint] ?? EndpointQueue()
                switch refusal {
                case .cancelled: queue.counters.cancelled += 1
                case .clientDisconnected: queue.counters.disconnected += 1
                default: queue.counters.shedDeadline += 1
                }
                state.queues[waiter.ticket.endpoint] = queue
            }
            return handOff(outcome, to: id, waiter: waiter, in: &state)
        }
        continuation?.resume(with: outcome)
    }

    /// Under the lock: gives `outcome` to waiter `id`. Returns its continuation, to resume once
    /// the lock is released, or keeps the outcome for ``grant(of:)`` when the waiting task has
    /// not attached a continuation yet.
    func handOff(_ outcome: Result<[Neuron], any Error>, to id: UInt64, waiter: Waiter,
                 in state: inout State) -> CheckedContinuation<[Neuron], any Error>? {
        if let continuation = waiter.continuation {
            state.waiters[id] = nil
            return continuation
        }
        var waiter = waiter
        waiter.outcome = outcome
        state.waiters[id] = waiter
        return nil
    }

    /// Drops the ids of departed waiters from an endpoint's queues once they outnumber the live
    /// ones (and pass a small floor), so callers who keep leaving a saturated endpoint cannot grow
    /// its queues without bound. Amortised O(1) per departure.
    func compactIfMostlyDead(_ state: inout State, endpoint: String) {
        guard var queue = state.queues[endpoint], queue.deadEntries > 256,
              queue.deadEntries > queue.waitingOrganic + queue.waitingSynthetic else { return }
        let waiters = state.waiters
        let isDead = { (id: UInt64) in waiters[id].map { $0.outcome != nil } ?? true }
        queue.organic.removeAll(where: isDead)
        queue.synthetic.removeAll(where: isDead)
        state.queues[endpoint] = queue
    }

    /// Takes a waiter out of the live counts; its id stays in the queue and is skipped later.
    func withdraw(_ state: inout State, waiter: Waiter) {
        state.totalQueued -= 1
        var queue = state.queues[waiter.ticket.endpoint] ?? EndpointQueue()
        switch waiter.ticket.traffic {
        case .organic: queue.waitingOrganic -= 1
        case .synthetic: queue.waitingSynthetic -= 1
        }
        // Nobody live is left: whatever the queues still hold is dead.
        if queue.waitingOrganic == 0, queue.waitingSynthetic == 0, queue.deadEntries > 0 {
            queue.organic = FairQueue()
            queue.synthetic.removeAll()
        }
        state.queues[waiter.ticket.endpoint] = queue
    }

    /// Grants whatever capacity is free to waiting requests.
    func pump() {
        let grants = state.withLock { state in grantWaiting(&state, now: clock.now()) }
        resume(grants)
    }

    /// Under the lock: hands free capacity to waiters in policy order and returns the
    /// continuations to resume once the lock is released.
    func grantWaiting(_ state: inout State, now: Date) -> [(CheckedContinuation<[Neuron], any Error>, [Neuron])] {
        guard state.totalQueued > 0 else { return [] }
        var grants: [(CheckedContinuation<[Neuron], any Error>, [Neuron])] = []
        for endpoint in Array(state.queues.keys) {
            while let queue = state.queues[endpoint], queue.waitingOrganic + queue.waitingSynthetic > 0,
                  hasFreeCapacity(state, endpoint: endpoint, now: now) {
                guard let id = popNext(&state, endpoint: endpoint), let waiter = state.waiters[id] else { break }
                let miners = select(&state, endpoint: endpoint, count: waiter.ticket.miners, excluding: [], traffic: waiter.ticket.traffic, now: now)
                withdraw(&state, waiter: waiter)
                state.queues[endpoint]?.recordDispatch(scored: waiter.scored && miners.count > 1 || waiter.ticket.traffic == .synthetic,
                                                       window: policy.scheduling.floorWindow)
                state.queues[endpoint]?.counters.recordWait(now.timeIntervalSince(waiter.enqueuedAt))
                if let continuation = handOff(.success(miners), to: id, waiter: waiter, in: &state) {
                    grants.append((continuation, miners))
                }
            }
        }
        return grants
    }

    /// The next live waiter of `endpoint` in policy order, or nil (and the live counts reset)
    /// when the queues hold only dead entries.
    func popNext(_ state: inout State, endpoint: String) -> UInt64? {
        guard var queue = state.queues[endpoint] else { return nil }
        let syntheticFirst = queue.waitingSynthetic > 0 && (queue.waitingOrganic == 0 || queue.scoredShare < policy.scheduling.syntheticFloor)
        var found: UInt64?
        for pass in 0..<2 where found == nil {
            if (pass == 0) == syntheticFirst {
                while found == nil, let id = queue.synthetic.popFirst() {
                    if isLive(state, id) { found = id }
                }
            } else {
                while found == nil, let (_, id) = queue.organic.dequeue() {
                    if isLive(state, id) { found = id }
                }
            }
        }
        if found == nil {
            queue.waitingOrganic = 0
            queue.waitingSynthetic = 0
        }
        state.queues[endpoint] = queue
        return found
    }

    /// Whether a queued id still waits (not cancelled, expired or granted). Dead ids are
    /// dropped lazily as they reach the head of their queue.
    func isLive(_ state: State, _ id: UInt64) -> Bool {
        guard let waiter = state.waiters[id] else { return false }
        return waiter.outcome == nil
    }

    func resume(_ grants: [(CheckedContinuation<[Neuron], any Error>, [Neuron])]) {
        for (continuation, miners) in grants { continuation.resume(returning: miners) }
    }

    /// Feeds one miner's answer time into the endpoint's service-time estimate.
    public func recordServiceTime(endpoint: String, latency: Duration) {
        state.withLock { state in
            var queue = state.queues[endpoint] ?? EndpointQueue()
            queue.recordServiceTime(latency.seconds)
            state.queues[endpoint] = queue
        }
    }

    /// Queue depths, waits and shedding per endpoint, for the admin API.
    public func queueStatuses() -> [QueueStatus] {
        state.withLock { state in
            state.queues.keys.sorted().compactMap { endpoint in
                guard let q = state.queues[endpoint] else { return nil }
                let c = q.counters
                return QueueStatus(endpoint: endpoint, queuedOrganic: q.waitingOrganic, queuedSynthetic: q.waitingSynthetic,
                                   waitingFlows: q.organic.backloggedFlows, scoredShare: q.scoredShare, meanServiceSeconds: q.meanServiceSeconds,
                                   admittedImmediately: c.admittedImmediately, admittedAfterWait: c.admittedAfterWait,
                                   meanWaitSeconds: c.meanWaitSeconds, maxWaitSeconds: c.maxWaitSeconds, shedQueueFull: c.shedQueueFull,
                                   shedDeadline: c.shedDeadline, shedOverloaded: c.shedOverloaded, cancelled: c.cancelled,
                                   disconnected: c.disconnected, staleEntries: q.deadEntries)
            }
        }
    }
}
