import DequeModule
import Foundation
import Synchronization

/// The last few minutes of queue depth and load, sampled while someone watches the traffic
/// page (each refresh adds at most one sample a second), for its live chart. Memory is bounded
/// by ``capacity``; nothing is sampled when nobody looks.
final class ConsoleTrafficHistory: Sendable {
    struct Sample: Sendable {
        let time: Date
        let organicWaiting: Int
        let syntheticWaiting: Int
        let inFlight: Int
    }

    static let capacity = 120
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex<(samples: Deque<Sample>, last: ContinuousClock.Instant?)>(([], nil))

    init(now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.now = now
    }

    /// Adds `sample` unless one was taken less than a second ago; returns the samples, oldest first.
    func record(_ sample: Sample) -> [Sample] {
        let instant = now()
        return state.withLock { state in
            if state.last.map({ instant - $0 >= .seconds(1) }) ?? true {
                state.samples.append(sample)
                if state.samples.count > Self.capacity { state.samples.removeFirst() }
                state.last = instant
            }
            return Array(state.samples)
        }
    }
}
