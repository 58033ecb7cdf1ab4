import DequeModule
import Foundation

/// The waiting requests and recent history of one endpoint.
struct EndpointQueue {
    var organic = FairQueue<UInt64>()
    var synthetic = Deque<UInt64>()
    /// Live (not cancelled, not granted) waiters per class, since queues drop entries lazily.
    var waitingOrganic = 0
    var waitingSynthetic = 0
    /// Whether each recent dispatch was scored, oldest first, for the synthetic floor.
    var recentScored = Deque<Bool>()
    var scoredInWindow = 0
    /// Moving average of how long one miner takes to answer this endpoint, in seconds.
    var meanServiceSeconds: Double?
    var counters = QueueCounters()

    /// Ids still in the queues whose waiter has left (deadline, cancellation, disconnect): the
    /// queues drop them lazily, so they hold the live waiters plus these.
    var deadEntries: Int { organic.count + synthetic.count - waitingOrganic - waitingSynthetic }

    /// Share of recent dispatches that were scored; 0 before any dispatch.
    var scoredShare: Double {
        recentScored.isEmpty ? 0 : Double(scoredInWindow) / Double(recentScored.count)
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
    var enqueuedAt: Date
    var continuation: CheckedContinuation<[Neuron], any Error>?
    /// Set when the outcome arrived before the waiting task attached its continuation.
    var outcome: Result<[Neuron], any Error>?
}

/// One endpoint's queues as the admin API reports them.
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
