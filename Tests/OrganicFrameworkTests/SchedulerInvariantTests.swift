import Foundation
import OrganicFramework
import OrganicTestKit
import PropertyBased
import Synchronization
import Testing

/// Invariants of the scheduler under random loads: capacity is never exceeded, every admitted
/// request's miners come back exactly once, requests of one flow start in the order they came,
/// and waiters are woken by releases (and by one timer), never by polling.
@Suite("Scheduler invariants (property-based)")
struct SchedulerInvariantTests {
    /// In-flight requests per miner as the callers see them, and the most ever seen at once.
    final class Ledger: Sendable {
        private struct State {
            var inFlight: [String: Int] = [:]
            var peak: [String: Int] = [:]
            var grants = 0
            var releases = 0
        }
        private let state = Mutex(State())

        func took(_ miners: [Neuron]) {
            state.withLock { state in
                state.grants += 1
                for miner in miners {
                    state.inFlight[miner.hotkey, default: 0] += 1
                    state.peak[miner.hotkey] = max(state.peak[miner.hotkey] ?? 0, state.inFlight[miner.hotkey] ?? 0)
                }
            }
        }

        func gave(_ miners: [Neuron]) {
            state.withLock { state in
                state.releases += 1
                for miner in miners { state.inFlight[miner.hotkey, default: 0] -= 1 }
            }
        }

        var peak: [String: Int] { state.withLock { $0.peak } }
        var counts: (grants: Int, releases: Int) { state.withLock { ($0.grants, $0.releases) } }
    }

    @Test("under concurrent admissions with random sizes, capacities and outcomes, no miner ever holds more than its capacity and every admission is released exactly once")
    func capacityAndRelease() async throws {
        let waited = Mutex(0)
        await propertyCheck(count: 25, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let capacities = (0..<Int.random(in: 1...5, using: &random)).map { _ in Int.random(in: 1...3, using: &random) }
            let neurons = capacities.enumerated().map { i, capacity in
                Neuron(uid: UInt16(i + 1), hotkey: "m\(i + 1)", url: "http://127.0.0.1:\(9001 + i)", capacity: capacity)
            }
            // Failures and busy answers are recorded, with cooldowns of zero so that nothing waits on time.
            let policy = MinerSelector.Policy(cooldownBase: .zero, cooldownMax: .zero, busyBackoff: .zero,
                                              scheduling: SchedulingPolicy(maxQueueDepth: 1_000, syntheticFloor: 0.2))
            let selector = MinerSelector(metagraph: Metagraph(neurons: neurons), policy: policy, clock: ManualNodeClock(), random: random.split())
            let ledger = Ledger()
            let requests = Int.random(in: 10...60, using: &random)
            let plans = (0..<requests).map { _ in
                (miners: Int.random(in: 1...3, using: &random), synthetic: Int.random(in: 0...4, using: &random) == 0,
                 flow: "k\(Int.random(in: 0...3, using: &random))", result: Int.random(in: 0...5, using: &random))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for plan in plans {
                    group.addTask {
                        let ticket = AdmissionTicket(endpoint: "e", traffic: plan.synthetic ? .synthetic : .organic, flow: plan.flow,
                                                     miners: plan.miners, maxWait: .seconds(600))
                        let miners = try await selector.admit(ticket, scored: plan.synthetic)
                        #expect(!miners.isEmpty && miners.count <= plan.miners)
                        #expect(Set(miners.map(\.hotkey)).count == miners.count, "distinct miners")
                        ledger.took(miners)
                        for status in selector.statuses() { #expect(status.inFlight <= status.capacity) }
                        try await Task.sleep(for: .milliseconds(1))  // holds the miners while others arrive
                        ledger.gave(miners)
                        let result: MinerSelector.AttemptResult = plan.result == 0 ? .failure : plan.result == 1 ? .busy : .success
                        for miner in miners { selector.release(miner, endpoint: "e", result: result) }
                    }
                }
                try await group.waitForAll()
            }
            for (i, neuron) in neurons.enumerated() { #expect((ledger.peak[neuron.hotkey] ?? 0) <= capacities[i]) }
            #expect(ledger.counts.grants == requests && ledger.counts.releases == requests)
            #expect(selector.statuses().allSatisfy { $0.inFlight == 0 })
            let queue = try #require(selector.queueStatuses().first)
            #expect(queue.queuedOrganic == 0 && queue.queuedSynthetic == 0)
            #expect(queue.admittedImmediately + queue.admittedAfterWait == requests)
            waited.withLock { $0 += queue.admittedAfterWait }
            // A release too many frees nothing that was not taken.
            selector.release(neurons[0], endpoint: "e", result: .success)
            #expect(selector.statuses().allSatisfy { $0.inFlight == 0 })
            var taken = 0
            while !selector.acquire(endpoint: "e", count: 1).isEmpty, taken <= 100 { taken += 1 }
            #expect(taken == capacities.reduce(0, +))
        }
        #expect(waited.withLock { $0 } > 0, "the loads made requests wait")
    }

    @Test("requests of one flow start in the order they were queued, whatever the other flows and weights")
    func fifoWithinFlow() async throws {
        await propertyCheck(count: 20, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let flows = Int.random(in: 1...4, using: &random)
            let weights = (0..<flows).map { _ in [1.0, 4.0, 0.5][Int.random(in: 0...2, using: &random)] }
            let order = (0..<Int.random(in: 2...16, using: &random)).map { _ in Int.random(in: 0..<flows, using: &random) }
            let neuron = Neuron(uid: 1, hotkey: "m1", url: "http://127.0.0.1:9001", capacity: 1)
            let selector = MinerSelector(metagraph: Metagraph(neurons: [neuron]), policy: .init(scheduling: SchedulingPolicy(syntheticFloor: 0)),
                                         clock: ManualNodeClock(), random: random.split())
            let held = try await selector.admit(AdmissionTicket(endpoint: "e", traffic: .organic, miners: 1, maxWait: .seconds(60)), scored: false)
            let served = OrderLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Queued one at a time, so that the queue order is known.
                for (index, flow) in order.enumerated() {
                    group.addTask {
                        let ticket = AdmissionTicket(endpoint: "e", traffic: .organic, flow: "flow-\(flow)", weight: weights[flow], miners: 1,
                                                     maxWait: .seconds(60))
                        _ = try await selector.admit(ticket, scored: false)
                        served.append("\(flow):\(index)")
                    }
                    #expect(await eventually { selector.queueStatuses().first?.queuedOrganic == index + 1 })
                }
                // Hand the one slot on, one request at a time.
                selector.release(held[0], endpoint: "e", result: .success)
                for count in 1...order.count {
                    #expect(await eventually { served.entries.count == count })
                    selector.release(neuron, endpoint: "e", result: .success)
                }
                try await group.waitForAll()
            }
            for flow in 0..<flows {
                let started = served.entries.filter { $0.hasPrefix("\(flow):") }.compactMap { Int($0.split(separator: ":")[1]) }
                #expect(started == order.indices.filter { order[$0] == flow })
            }
        }
    }

    @Test("waiters are woken by releases while the clock stands still; one timer sleeps for all of them, none once they are served")
    func wokenWithoutPolling() async throws {
        await propertyCheck(count: 10, input: Gen.int(in: 1...12)) { waiting in
            let clock = ManualNodeClock()
            let neuron = Neuron(uid: 1, hotkey: "m1", url: "http://127.0.0.1:9001", capacity: 1)
            let selector = MinerSelector(metagraph: Metagraph(neurons: [neuron]), clock: clock, random: OrganicRandom(seed: 4))
            let held = try await selector.admit(AdmissionTicket(endpoint: "e", traffic: .organic, miners: 1, maxWait: .seconds(60)), scored: false)
            let served = OrderLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<waiting {
                    group.addTask {
                        _ = try await selector.admit(AdmissionTicket(endpoint: "e", traffic: .organic, flow: "k\(i % 3)", miners: 1,
                                                                     maxWait: .seconds(30 + i)), scored: false)
                        served.append("\(i)")
                    }
                }
                #expect(await eventually { selector.queueStatuses().first?.queuedOrganic == waiting })
                // One timer, set for the earliest deadline, sleeps on the clock: no sleeper per request.
                #expect(await eventually { clock.sleeperCount == 1 })
                selector.release(held[0], endpoint: "e", result: .success)
                for count in 1...waiting {
                    #expect(await eventually { served.entries.count == count })
                    #expect(clock.sleeperCount <= 1)
                    selector.release(neuron, endpoint: "e", result: .success)
                }
                try await group.waitForAll()
            }
            // Nothing waits: the timer is off.
            #expect(await eventually { clock.sleeperCount == 0 })
            #expect(selector.queueStatuses().first?.shedDeadline == 0)
        }
    }
}
