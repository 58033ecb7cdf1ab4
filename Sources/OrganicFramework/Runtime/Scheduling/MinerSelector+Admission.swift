import Foundation

/// A waiter's continuation and the miners it is handed, resumed once the locks are released.
typealias Grant = (continuation: CheckedContinuation<[Neuron], any Error>, miners: [Neuron])

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
    ///
    /// Waiting costs nothing while nothing changes: a release hands its capacity to the next
    /// waiter at once, and the ``AdmissionTimer`` wakes the lane at the earliest deadline or end
    /// of a cooldown.
    package func admit(_ ticket: AdmissionTicket, scored: Bool) async throws -> [Neuron] {
        let lane = lane(ticket.endpoint)
        // A caller already gone (say, while its body was read) takes no miner.
        if ticket.disconnect?.isDisconnected == true { throw refuseDeparted(lane) }
        var queuedID: UInt64 = 0
        if let miners = try admitNow(lane, ticket, scored: scored, queuedID: &queuedID) {
            return miners
        }
        let observation = observeDisconnect(of: ticket, waiter: queuedID, in: lane)
        defer { if let observation { ticket.disconnect?.stopObserving(observation) } }
        return try await grant(of: queuedID, in: lane)
    }

    /// Counts a caller that left before admission; returns the refusal to throw.
    func refuseDeparted(_ lane: EndpointLane) -> AdmissionRefusal {
        lane.state.withLock { state in
            state.listsQueue = true
            state.queue.counters.disconnected += 1
        }
        return .clientDisconnected
    }

    /// Withdraws waiter `id` as soon as its caller goes (at once if already gone); returns the
    /// observation to stop once the wait ends.
    func observeDisconnect(of ticket: AdmissionTicket, waiter id: UInt64, in lane: EndpointLane) -> UInt64? {
        guard let signal = ticket.disconnect else { return nil }
        let token = signal.observe { [self] in finish(id, in: lane, with: .failure(AdmissionRefusal.clientDisconnected)) }
        if token == nil { finish(id, in: lane, with: .failure(AdmissionRefusal.clientDisconnected)) }
        return token
    }

    /// Grants at once (returns the miners), refuses (throws) or queues (returns nil and sets
    /// `queuedID`). Synchronous on purpose: no lock closure or enum payload lives in the async
    /// frame of ``admit(_:scored:)``, which sidesteps a task-allocator ordering fault seen with
    /// Swift 6.3 debug builds.
    func admitNow(_ lane: EndpointLane, _ ticket: AdmissionTicket, scored: Bool, queuedID: inout UInt64) throws -> [Neuron]? {
        let now = clock.uptime()
        let decision = withLane(lane) { state, book in enqueueOrGrant(&state, &book, ticket: ticket, scored: scored, now: now) }
        switch decision {
        case .granted(let miners): return miners
        case .refused(let refusal): throw refusal
        case .queued(let id, let wake):
            armTimer(at: wake)
            queuedID = id
            return nil
        }
    }

    enum Decision: Sendable {
        case granted([Neuron])
        case refused(AdmissionRefusal)
        /// Queued as waiter `id`; the lane must be looked at again by `wake` at the latest.
        case queued(UInt64, wake: Uptime)
    }

    func enqueueOrGrant(_ state: inout LaneState, _ book: inout MinerHealthBook, ticket: AdmissionTicket, scored: Bool, now: Uptime) -> Decision {
        guard state.serving > 0 else { return .refused(.noMiners(retryAfterSeconds: 5)) }
        state.listsQueue = true
        let scheduling = policy.scheduling
        let floorOwed = state.queue.scoredShare < scheduling.syntheticFloor
        let aheadOfUs = switch ticket.traffic {
        case .organic: state.queue.waitingOrganic + (floorOwed ? state.queue.waitingSynthetic : 0)
        case .synthetic: state.queue.waitingSynthetic + (floorOwed ? 0 : state.queue.waitingOrganic)
        }
        if aheadOfUs == 0 {
            let miners = select(&state, &book, count: ticket.miners, excluding: [], traffic: ticket.traffic, now: now)
            if !miners.isEmpty {
                state.queue.recordDispatch(scored: scored && miners.count > 1 || ticket.traffic == .synthetic, window: scheduling.floorWindow)
                state.queue.counters.admittedImmediately += 1
                return .granted(miners)
            }
        }
        // Every serving miner cooling down beyond the deadline: say so now rather than at the deadline.
        if let usable = earliestUsable(state, book, now: now), usable - now > ticket.maxWait {
            return .refused(.noMiners(retryAfterSeconds: max(1, Int((usable - now).seconds.rounded(.up)))))
        }
        let estimate = estimatedWait(state, book, ahead: aheadOfUs, now: now)
        let retryAfter = max(1, Int((estimate ?? 1).rounded(.up)))
        if budget.isFull {
            state.queue.counters.shedOverloaded += 1
            return .refused(.overloaded(retryAfterSeconds: retryAfter))
        }
        let depth = ticket.traffic == .organic ? state.queue.waitingOrganic : state.queue.waitingSynthetic
        if depth >= scheduling.maxQueueDepth {
            state.queue.counters.shedQueueFull += 1
            return .refused(.queueFull(retryAfterSeconds: retryAfter))
        }
        if let estimate, estimate > ticket.maxWait.seconds {
            state.queue.counters.shedDeadline += 1
            return .refused(.deadlineExceeded(retryAfterSeconds: retryAfter))
        }
        // Checked above; taken here, where another endpoint may have filled the node meanwhile.
        guard budget.take() else {
            state.queue.counters.shedOverloaded += 1
            return .refused(.overloaded(retryAfterSeconds: retryAfter))
        }
        let id = state.queue.enqueue(Waiter(ticket: ticket, scored: scored, enqueuedAt: now, deadline: now + ticket.maxWait))
        return .queued(id, wake: nextWake(state, book, now: now) ?? now + ticket.maxWait)
    }

    /// When the first serving miner leaves its cooldown; `now` when one is not cooling (only busy).
    func earliestUsable(_ state: LaneState, _ book: MinerHealthBook, now: Uptime) -> Uptime? {
        var earliest: Uptime?
        for candidate in state.candidates where state.loads[candidate.id].capacity > 0 {
            let until = book[candidate.id].coolingUntil.map { max($0, now) } ?? now
            earliest = min(earliest ?? until, until)
        }
        return earliest
    }

    /// Expected seconds until a request with `ahead` requests before it starts, from the mean
    /// service time and the free-or-busy capacity of healthy miners; nil before any measurement.
    func estimatedWait(_ state: LaneState, _ book: MinerHealthBook, ahead: Int, now: Uptime) -> Double? {
        guard let service = state.queue.meanServiceSeconds else { return nil }
        var capacity = 0
        for candidate in state.candidates where !book[candidate.id].isCooling(at: now) {
            capacity += state.loads[candidate.id].capacity
        }
        guard capacity > 0 else { return nil }
        return Double(ahead + 1) * service / Double(capacity)
    }

    /// When the lane must be looked at again while requests wait: the earliest deadline, or the
    /// earliest end of a cooldown (which frees capacity without a release), whichever is first.
    /// nil when nothing waits.
    func nextWake(_ state: LaneState, _ book: MinerHealthBook, now: Uptime) -> Uptime? {
        guard let deadline = state.queue.earliestDeadline else { return nil }
        var wake = deadline
        for candidate in state.candidates where state.loads[candidate.id].capacity > 0 {
            if let until = book[candidate.id].coolingUntil, until > now { wake = min(wake, until) }
        }
        return wake
    }

    /// Suspends until the waiter `id` is granted or refused; cancellation withdraws it.
    func grant(of id: UInt64, in lane: EndpointLane) async throws -> [Neuron] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Neuron], any Error>) in
                let ready = lane.state.withLock { $0.queue.attach(continuation, to: id) }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            finish(id, in: lane, with: .failure(AdmissionRefusal.cancelled))
        }
    }

    /// Ends a waiter that is still queued (deadline, cancellation or disconnect); no effect once granted.
    func finish(_ id: UInt64, in lane: EndpointLane, with outcome: Result<[Neuron], any Error>) {
        let continuation = lane.state.withLock { state -> CheckedContinuation<[Neuron], any Error>? in
            guard let waiter = state.queue.liveWaiter(id) else { return nil }
            withdraw(&state, waiter: waiter)
            if case .failure(let error) = outcome, let refusal = error as? AdmissionRefusal {
                switch refusal {
                case .cancelled: state.queue.counters.cancelled += 1
                case .clientDisconnected: state.queue.counters.disconnected += 1
                default: state.queue.counters.shedDeadline += 1
                }
            }
            return state.queue.handOff(outcome, to: id)
        }
        continuation?.resume(with: outcome)
        disarmTimerIfIdle()
    }

    /// Takes a waiter out of the live counts and gives back its place in the node's budget.
    func withdraw(_ state: inout LaneState, waiter: Waiter) {
        state.queue.withdraw(waiter)
        budget.give()
    }

    /// Under the lane's lock: hands free capacity to waiters in policy order and returns the
    /// continuations to resume once the locks are released.
    func grantWaiting(_ state: inout LaneState, _ book: inout MinerHealthBook, now: Uptime) -> [Grant] {
        var grants: [Grant] = []
        while state.queue.hasWaiters, hasFreeCapacity(state, book, now: now) {
            guard let id = state.queue.popNext(syntheticFloor: policy.scheduling.syntheticFloor), let waiter = state.queue.liveWaiter(id) else { break }
            let miners = select(&state, &book, count: waiter.ticket.miners, excluding: [], traffic: waiter.ticket.traffic, now: now)
            withdraw(&state, waiter: waiter)
            state.queue.recordDispatch(scored: waiter.scored && miners.count > 1 || waiter.ticket.traffic == .synthetic,
                                       window: policy.scheduling.floorWindow)
            state.queue.counters.recordWait((now - waiter.enqueuedAt).seconds)
            if let continuation = state.queue.handOff(.success(miners), to: id) {
                grants.append((continuation, miners))
            }
        }
        return grants
    }

    /// Under the lane's lock, when the timer fires: hands out capacity freed by ended cooldowns,
    /// then refuses the waiters whose deadline has passed. Returns the continuations to resume.
    func expire(_ state: inout LaneState, _ book: inout MinerHealthBook, now: Uptime) -> (granted: [Grant], expired: [CheckedContinuation<[Neuron], any Error>]) {
        let granted = grantWaiting(&state, &book, now: now)
        var expired: [CheckedContinuation<[Neuron], any Error>] = []
        while let id = state.queue.popExpired(at: now) {
            guard let waiter = state.queue.liveWaiter(id) else { continue }
            withdraw(&state, waiter: waiter)
            state.queue.counters.shedDeadline += 1
            if let continuation = state.queue.handOff(.failure(Self.expiredRefusal), to: id) { expired.append(continuation) }
        }
        return (granted, expired)
    }

    static let expiredRefusal = AdmissionRefusal.deadlineExceeded(retryAfterSeconds: 1)

    func resume(_ grants: [Grant]) {
        for (continuation, miners) in grants { continuation.resume(returning: miners) }
        if !grants.isEmpty { disarmTimerIfIdle() }
    }

    // MARK: - Waking the queues

    /// Makes sure the queues are looked at again by `deadline`.
    func armTimer(at deadline: Uptime) {
        timer.arm(at: deadline) { [weak self] in self?.timerFired() }
    }

    /// Stops the timer once nothing waits anywhere.
    func disarmTimerIfIdle() {
        timer.disarm { budget.isEmpty }
    }

    /// The earliest deadline or cooldown end came: every lane with waiters grants what it can and
    /// refuses what has expired; the timer is set for the next.
    func timerFired() {
        let now = clock.uptime()
        var wake: Uptime?
        for lane in registry.withLock({ $0.order }) {
            let (granted, expired, next) = withLane(lane) { state, book in
                guard state.queue.hasWaiters || state.queue.earliestDeadline != nil else {
                    return ([Grant](), [CheckedContinuation<[Neuron], any Error>](), Uptime?.none)
                }
                let (granted, expired) = expire(&state, &book, now: now)
                return (granted, expired, nextWake(state, book, now: now))
            }
            resume(granted)
            for continuation in expired { continuation.resume(throwing: Self.expiredRefusal) }
            wake = earliest(wake, next)
        }
        if let wake { armTimer(at: wake) } else { disarmTimerIfIdle() }
    }

    /// Offers free capacity to the waiters of every lane but `skipped` (a miner became usable).
    func pump(except skipped: EndpointLane? = nil) {
        let now = clock.uptime()
        var wake: Uptime?
        for lane in registry.withLock({ $0.order }) where lane !== skipped {
            let (grants, next) = withLane(lane) { state, book -> ([Grant], Uptime?) in
                guard state.queue.hasWaiters else { return ([], nil) }
                return (grantWaiting(&state, &book, now: now), nextWake(state, book, now: now))
            }
            resume(grants)
            wake = earliest(wake, next)
        }
        if let wake { armTimer(at: wake) }
    }

    /// Feeds one miner's answer time into the endpoint's service-time estimate.
    package func recordServiceTime(endpoint: String, latency: Duration) {
        lane(endpoint).state.withLock { state in
            state.listsQueue = true
            state.queue.recordServiceTime(latency.seconds)
        }
    }

    /// Queue depths, waits and shedding per endpoint, for the admin API.
    package func queueStatuses() -> [QueueStatus] {
        registry.withLock { $0.order }.compactMap { lane in
            lane.state.withLock { state -> QueueStatus? in
                guard state.listsQueue else { return nil }
                let q = state.queue, c = q.counters
                return QueueStatus(endpoint: lane.endpoint, queuedOrganic: q.waitingOrganic, queuedSynthetic: q.waitingSynthetic,
                                   waitingFlows: q.organic.backloggedFlows, scoredShare: q.scoredShare, meanServiceSeconds: q.meanServiceSeconds,
                                   admittedImmediately: c.admittedImmediately, admittedAfterWait: c.admittedAfterWait,
                                   meanWaitSeconds: c.meanWaitSeconds, maxWaitSeconds: c.maxWaitSeconds, shedQueueFull: c.shedQueueFull,
                                   shedDeadline: c.shedDeadline, shedOverloaded: c.shedOverloaded, cancelled: c.cancelled,
                                   disconnected: c.disconnected, staleEntries: q.deadEntries)
            }
        }.sorted { $0.endpoint < $1.endpoint }
    }
}
