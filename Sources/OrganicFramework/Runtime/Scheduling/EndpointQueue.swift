import DequeModule
import Foundation
import HeapModule

/// The waiting requests and recent history of one endpoint. It lives in its lane's state and
/// is changed in place.
struct EndpointQueue {
    var organic = FairQueue<UInt64>()
    var synthetic = Deque<UInt64>()
    /// Live (not cancelled, not granted) waiters per class, since queues drop entries lazily.
    var waitingOrganic = 0
    var waitingSynthetic = 0
    /// Every queued request until it is granted, refused or withdrawn, and then (for a moment)
    /// until its waiting task has collected the outcome.
    private(set) var waiters: [UInt64: Waiter] = [:]
    private var nextID: UInt64 = 0
    /// Deadlines of queued requests, earliest first; entries of requests already gone are
    /// dropped lazily, when they come first or when the queue empties.
    private var deadlines = Heap<WaiterDeadline>()
    /// Whether each recent dispatch was scored, oldest first, for the synthetic floor.
    var recentScored = Deque<Bool>()
    var scoredInWindow = 0
    /// Moving average of how long one miner takes to answer this endpoint, in seconds.
    var meanServiceSeconds: Double?
    var counters = QueueCounters()

    var hasWaiters: Bool { waitingOrganic + waitingSynthetic > 0 }

    /// Ids still in the queues whose waiter has left (deadline, cancellation, disconnect): the
    /// queues drop them lazily, so they hold the live waiters plus these.
    var deadEntries: Int { organic.count + synthetic.count - waitingOrganic - waitingSynthetic }

    /// The earliest deadline of a queued request (possibly of one already gone, which only
    /// makes the lane be looked at early); nil when nothing waits.
    var earliestDeadline: Uptime? { hasWaiters ? deadlines.min?.deadline : nil }

    /// Share of recent dispatches that were scored; 0 before any dispatch.
    var scoredShare: Double {
        recentScored.isEmpty ? 0 : Double(scoredInWindow) / Double(recentScored.count)
    }

    /// Queues `waiter` in its class (organic ones by flow); returns its id.
    mutating func enqueue(_ waiter: Waiter) -> UInt64 {
        nextID += 1
        let id = nextID
        waiters[id] = waiter
        deadlines.insert(WaiterDeadline(deadline: waiter.deadline, id: id))
        switch waiter.ticket.traffic {
        case .organic:
            organic.enqueue(id, flow: waiter.ticket.flow, weight: waiter.ticket.weight)
            waitingOrganic += 1
        case .synthetic:
            synthetic.append(id)
            waitingSynthetic += 1
        }
        return id
    }

    /// The waiter `id` if it still waits (not cancelled, expired or granted).
    func liveWaiter(_ id: UInt64) -> Waiter? {
        guard let waiter = waiters[id], waiter.outcome == nil else { return nil }
        return waiter
    }

    /// The next live waiter in policy order: synthetic first while the scored share is below
    /// `syntheticFloor`, organic first otherwise. Nil (and the live counts reset) when the
    /// queues hold only dead entries.
    mutating func popNext(syntheticFloor: Double) -> UInt64? {
        let syntheticFirst = waitingSynthetic > 0 && (waitingOrganic == 0 || scoredShare < syntheticFloor)
        var found: UInt64?
        for pass in 0..<2 where found == nil {
            if (pass == 0) == syntheticFirst {
                while found == nil, let id = synthetic.popFirst() {
                    if liveWaiter(id) != nil { found = id }
                }
            } else {
                while found == nil, let (_, id) = organic.dequeue() {
                    if liveWaiter(id) != nil { found = id }
                }
            }
        }
        if found == nil {
            waitingOrganic = 0
            waitingSynthetic = 0
        }
        return found
    }

    /// The id of a request whose deadline is at or before `now`, taken off the deadline list
    /// (it may be one already gone).
    mutating func popExpired(at now: Uptime) -> UInt64? {
        guard let first = deadlines.min, first.deadline <= now else { return nil }
        return deadlines.removeMin().id
    }

    /// Takes a waiter out of the live counts; its id stays in the queue and is skipped later.
    mutating func withdraw(_ waiter: Waiter) {
        switch waiter.ticket.traffic {
        case .organic: waitingOrganic -= 1
        case .synthetic: waitingSynthetic -= 1
        }
        if !hasWaiters {
            // Nobody live is left: whatever the queues still hold is dead.
            if deadEntries > 0 {
                organic = FairQueue()
                synthetic.removeAll()
            }
            deadlines = Heap()
        } else {
            compactIfMostlyDead()
        }
    }

    /// Drops the ids of departed waiters once they outnumber the live ones (and pass a small
    /// floor), so callers who keep leaving a saturated endpoint cannot grow its queues without
    /// bound. Amortised O(1) per departure.
    private mutating func compactIfMostlyDead() {
        let live = waitingOrganic + waitingSynthetic
        guard deadEntries > 256 || deadlines.count > 256 else { return }
        let waiters = waiters
        let isDead = { (id: UInt64) in waiters[id].map { $0.outcome != nil } ?? true }
        if deadEntries > 256, deadEntries > live {
            organic.removeAll(where: isDead)
            synthetic.removeAll(where: isDead)
        }
        if deadlines.count > 256, deadlines.count > 2 * live {
            deadlines.removeAll { isDead($0.id) }
        }
    }

    /// Gives `outcome` to waiter `id`. Returns its continuation, to resume once the lock is
    /// released, or keeps the outcome for ``attach(_:to:)`` when the waiting task has not
    /// attached a continuation yet.
    mutating func handOff(_ outcome: Result<[Neuron], any Error>, to id: UInt64) -> CheckedContinuation<[Neuron], any Error>? {
        guard var waiter = waiters[id] else { return nil }
        if let continuation = waiter.continuation {
            waiters[id] = nil
            return continuation
        }
        waiter.outcome = outcome
        waiters[id] = waiter
        return nil
    }

    /// Attaches the waiting task's continuation to waiter `id`; returns the outcome at once
    /// when it came first (or the waiter is gone).
    mutating func attach(_ continuation: CheckedContinuation<[Neuron], any Error>, to id: UInt64) -> Result<[Neuron], any Error>? {
        guard var waiter = waiters[id] else { return .failure(AdmissionRefusal.cancelled) }
        if let outcome = waiter.outcome {
            waiters[id] = nil
            return outcome
        }
        waiter.continuation = continuation
        waiters[id] = waiter
        return nil
    }

    mutating func recordDispatch(scored: Bool, window: Int) {
        recentScored.append(scored)
        if scored { scoredInWindow += 1 }
        while recentScored.count > max(window, 1), let oldest = recentScored.popFirst() {
            if oldest { scoredInWindow -= 1 }
        }
    }

    mutating func recordServiceTime(_ seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        meanServiceSeconds = meanServiceSeconds.map { $0 + 0.2 * (seconds - $0) } ?? seconds
    }
}

/// When a queued request times out.
struct WaiterDeadline: Comparable {
    var deadline: Uptime
    var id: UInt64

    static func < (a: WaiterDeadline, b: WaiterDeadline) -> Bool {
        (a.deadline, a.id) < (b.deadline, b.id)
    }
}

/// Lifetime counters of one endpoint's queue.
struct QueueCounters: Sendable, Hashable {
    var admittedImmediately = 0
    var admittedAfterWait = 0
    var shedQueueFull = 0
    var shedDeadline = 0
    var shedOverloaded = 0
    var cancelled = 0
    /// Left the queue because the caller's connection closed.
    var disconnected = 0
    var meanWaitSeconds = 0.0
    var maxWaitSeconds = 0.0

    mutating func recordWait(_ seconds: Double) {
        admittedAfterWait += 1
        meanWaitSeconds += (seconds - meanWaitSeconds) / Double(admittedAfterWait)
        maxWaitSeconds = max(maxWaitSeconds, seconds)
    }
}

/// A request waiting for miners.
struct Waiter {
    var ticket: AdmissionTicket
    var scored: Bool
    var enqueuedAt: Uptime
    var deadline: Uptime
    var continuation: CheckedContinuation<[Neuron], any Error>?
    /// Set when the outcome arrived before the waiting task attached its continuation.
    var outcome: Result<[Neuron], any Error>?
}

/// One endpoint's queues as the admin API reports it.
public struct QueueStatus: Sendable, Codable, Hashable {
    public var endpoint: String
    public var queuedOrganic: Int
    public var queuedSynthetic: Int
    /// Flows (API keys) with requests waiting.
    public var waitingFlows: Int
    public var scoredShare: Double
    public var meanServiceSeconds: Double?
    public var admittedImmediately: Int
    public var admittedAfterWait: Int
    public var meanWaitSeconds: Double
    public var maxWaitSeconds: Double
    public var shedQueueFull: Int
    public var shedDeadline: Int
    public var shedOverloaded: Int
    public var cancelled: Int
    /// Requests withdrawn because their caller disconnected while waiting.
    public var disconnected: Int
    /// Entries of departed requests not yet dropped from the queues (memory, not load).
    public var staleEntries: Int
}
