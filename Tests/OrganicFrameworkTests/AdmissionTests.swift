import Foundation
import OrganicFramework
import OrganicTestKit
import PropertyBased
import Synchronization
import Testing

@Suite("Admission and queueing")
struct AdmissionTests {
    func selector(miners: Int = 1, capacity: Int = 1, clock: ManualNodeClock = ManualNodeClock(),
                  scheduling: SchedulingPolicy = SchedulingPolicy()) -> MinerSelector {
        let neurons = (1...miners).map { Neuron(uid: UInt16($0), hotkey: "m\($0)", url: "http://127.0.0.1:\(9000 + $0)", capacity: capacity) }
        return MinerSelector(metagraph: Metagraph(neurons: neurons), policy: .init(scheduling: scheduling), clock: clock, random: OrganicRandom(seed: 3))
    }

    func organic(_ flow: String = "k", weight: Double = 1, wait: Duration = .seconds(10)) -> AdmissionTicket {
        AdmissionTicket(endpoint: "e", traffic: .organic, flow: flow, weight: weight, miners: 1, maxWait: wait)
    }

    func synthetic(wait: Duration = .seconds(10)) -> AdmissionTicket {
        AdmissionTicket(endpoint: "e", traffic: .synthetic, flow: "synthetic", miners: 1, maxWait: wait)
    }

    @Test("free capacity is granted at once; a busy endpoint queues until a release")
    func queuesUntilRelease() async throws {
        let s = selector()
        let first = try await s.admit(organic(), scored: false)
        #expect(first.count == 1)
        let second = Task { try await s.admit(self.organic(), scored: false) }
        #expect(await eventually { s.queueStatuses().first?.queuedOrganic == 1 }, "s.queueStatuses().first?.queuedOrganic == 1")
        #expect(s.queueStatuses().first?.queuedOrganic == 1)
        s.release(first[0], endpoint: "e", result: .success)
        let granted = try await second.value
        #expect(granted.map(\.hotkey) == ["m1"])
        #expect(s.queueStatuses().first?.admittedAfterWait == 1)
    }

    @Test("a request that cannot start before its deadline is shed with queue_timeout")
    func deadline() async throws {
        let clock = ManualNodeClock()
        let s = selector(clock: clock)
        _ = try await s.admit(organic(), scored: false)
        let waiting = Task { try await s.admit(self.organic(wait: .seconds(1)), scored: false) }
        #expect(await eventually { clock.sleeperCount > 0 }, "clock.sleeperCount > 0")
        clock.advance(by: .seconds(2))
        let outcome = await waiting.result
        #expect(throws: AdmissionRefusal.deadlineExceeded(retryAfterSeconds: 1)) { _ = try outcome.get() }
        #expect(s.queueStatuses().first?.shedDeadline == 1)
        #expect(s.queueStatuses().first?.queuedOrganic == 0)
    }

    @Test("full queues refuse at once with queue_full")
    func queueFull() async throws {
        let s = selector(scheduling: SchedulingPolicy(maxQueueDepth: 2))
        _ = try await s.admit(organic(), scored: false)
        await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 { group.addTask { _ = try? await s.admit(self.organic(), scored: false) } }
            #expect(await eventually { s.queueStatuses().first?.queuedOrganic == 2 }, "s.queueStatuses().first?.queuedOrganic == 2")
            await #expect(throws: AdmissionRefusal.self) { _ = try await s.admit(self.organic(), scored: false) }
            #expect(s.queueStatuses().first?.shedQueueFull == 1)
            group.cancelAll()
        }
    }

    @Test("cancelling a waiting request removes it from the queue")
    func cancellation() async throws {
        let s = selector()
        let held = try await s.admit(organic(), scored: false)
        let task = Task { try await s.admit(self.organic(), scored: false) }
        #expect(await eventually { s.queueStatuses().first?.queuedOrganic == 1 }, "s.queueStatuses().first?.queuedOrganic == 1")
        task.cancel()
        await #expect(throws: (any Error).self) { _ = try await task.value }
        #expect(s.queueStatuses().first?.queuedOrganic == 0)
        #expect(s.queueStatuses().first?.cancelled == 1)
        // The freed slot goes to nobody stale: the next request is granted at once after release.
        s.release(held[0], endpoint: "e", result: .success)
        #expect(try await s.admit(organic(), scored: false).count == 1)
    }

    @Test("organic goes before synthetic once the synthetic floor is met")
    func priority() async throws {
        // Floor 0: synthetic never jumps the queue.
        let s = selector(scheduling: SchedulingPolicy(syntheticFloor: 0))
        let held = try await s.admit(organic(), scored: false)
        let order = OrderLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { let m = try await s.admit(self.synthetic(), scored: true); order.append("synthetic"); s.release(m[0], endpoint: "e", result: .success) }
            #expect(await eventually { s.queueStatuses().first?.queuedSynthetic == 1 }, "s.queueStatuses().first?.queuedSynthetic == 1")
            group.addTask { let m = try await s.admit(self.organic(), scored: false); order.append("organic"); s.release(m[0], endpoint: "e", result: .success) }
            #expect(await eventually { s.queueStatuses().first?.queuedOrganic == 1 }, "s.queueStatuses().first?.queuedOrganic == 1")
            s.release(held[0], endpoint: "e", result: .success)
            try await group.waitForAll()
        }
        #expect(order.entries == ["organic", "synthetic"])
    }

    @Test("below the synthetic floor, synthetic goes first even with organic waiting")
    func floor() async throws {
        let s = selector(scheduling: SchedulingPolicy(syntheticFloor: 0.5))
        let held = try await s.admit(organic(), scored: false)   // one unscored dispatch: scored share 0
        let order = OrderLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { let m = try await s.admit(self.organic(), scored: false); order.append("organic"); s.release(m[0], endpoint: "e", result: .success) }
            #expect(await eventually { s.queueStatuses().first?.queuedOrganic == 1 }, "s.queueStatuses().first?.queuedOrganic == 1")
            group.addTask { let m = try await s.admit(self.synthetic(), scored: true); order.append("synthetic"); s.release(m[0], endpoint: "e", result: .success) }
            #expect(await eventually { s.queueStatuses().first?.queuedSynthetic == 1 }, "s.queueStatuses().first?.queuedSynthetic == 1")
            s.release(held[0], endpoint: "e", result: .success)
            try await group.waitForAll()
        }
        #expect(order.entries == ["synthetic", "organic"])
    }

    @Test("capacity is never exceeded under a burst of concurrent admissions")
    func capacityUnderBurst() async throws {
        let s = selector(miners: 3, capacity: 2)
        let peak = OrderLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<60 {
                group.addTask {
                    let miners = try await s.admit(self.organic("k\(i % 5)"), scored: false)
                    let inFlight = s.statuses().map(\.inFlight)
                    peak.append(inFlight.map(String.init).joined(separator: ","))
                    #expect(inFlight.allSatisfy { $0 <= 2 })
                    try await Task.sleep(for: .milliseconds(1))
                    s.release(miners[0], endpoint: "e", result: .success)
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.entries.count == 60)
        #expect(s.statuses().allSatisfy { $0.inFlight == 0 })
    }

    @Test("a validator with a quarter of the stake uses a quarter of each miner's capacity")
    func stakeShare() {
        let neurons = [Neuron(uid: 0, hotkey: "me", url: nil, stake: 250, validatorPermit: true),
                       Neuron(uid: 1, hotkey: "other", url: nil, stake: 750, validatorPermit: true),
                       Neuron(uid: 2, hotkey: "miner", url: "http://x", stake: 5, capacity: 8)]
        let s = MinerSelector(metagraph: Metagraph(neurons: neurons), policy: .init(validatorUID: 0))
        #expect(s.statuses().first { $0.hotkey == "miner" }?.capacity == 2)
        let off = MinerSelector(metagraph: Metagraph(neurons: neurons), policy: .init(validatorUID: 0, stakeProportionalCapacity: false))
        #expect(off.statuses().first { $0.hotkey == "miner" }?.capacity == 8)
    }
}

/// A thread-safe list of events, to check orders across tasks.
final class OrderLog: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ entry: String) { storage.withLock { $0.append(entry) } }
    var entries: [String] { storage.withLock { $0 } }
}



@Suite("Admission priority (property-based)")
struct AdmissionPriorityPropertyTests {
    /// Queues a random mix of organic and synthetic requests behind a busy miner, then frees the
    /// miner one request at a time and returns the classes in the order they were served.
    func serveOrder(organic: Int, synthetic: Int, floor: Double, keys: Int) async throws -> [AdmissionTicket.Traffic] {
        let neuron = Neuron(uid: 1, hotkey: "m1", url: "http://127.0.0.1:9001", capacity: 1)
        let s = MinerSelector(metagraph: Metagraph(neurons: [neuron]),
                              policy: .init(scheduling: SchedulingPolicy(syntheticFloor: floor, floorWindow: 1_000)),
                              random: OrganicRandom(seed: 9))
        let held = try await s.admit(AdmissionTicket(endpoint: "e", traffic: .organic, miners: 1, maxWait: .seconds(60)), scored: false)
        let served = OrderLog()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<(organic + synthetic) {
                let traffic: AdmissionTicket.Traffic = i < organic ? .organic : .synthetic
                let ticket = AdmissionTicket(endpoint: "e", traffic: traffic, flow: "k\(i % max(keys, 1))", miners: 1, maxWait: .seconds(60))
                group.addTask {
                    _ = try await s.admit(ticket, scored: traffic == .synthetic)
                    served.append(traffic.rawValue)
                }
            }
            let queued = await eventually(timeout: .seconds(10), every: .milliseconds(2)) {
                (s.queueStatuses().first.map { $0.queuedOrganic + $0.queuedSynthetic } ?? 0) == organic + synthetic
            }
            try #require(queued, "every request is queued behind the busy miner")
            // Hand the single slot on, one request at a time.
            var released = 0
            s.release(held[0], endpoint: "e", result: .success)
            while released < organic + synthetic {
                let admitted = released
                let handedOn = await eventually(timeout: .seconds(10), every: .milliseconds(1)) { served.entries.count > admitted }
                try #require(handedOn, "the freed slot goes to a queued request")
                released += 1
                if released < organic + synthetic { s.release(neuron, endpoint: "e", result: .success) }
            }
            try await group.waitForAll()
            return served.entries.compactMap(AdmissionTicket.Traffic.init(rawValue:))
        }
    }

    @Test("with the floor met, no synthetic request is served while an organic one waits")
    func organicFirst() async {
        await propertyCheck(count: 15, input: Gen.int(in: 1...6), Gen.int(in: 1...6), Gen.int(in: 1...3)) { organic, synthetic, keys in
            let order = try await serveOrder(organic: organic, synthetic: synthetic, floor: 0, keys: keys)
            #expect(order.count == organic + synthetic)
            #expect(Array(order.prefix(organic)) == Array(repeating: .organic, count: organic))
        }
    }

    @Test("while below the floor, waiting synthetic requests go first")
    func floorFirst() async {
        await propertyCheck(count: 15, input: Gen.int(in: 1...6), Gen.int(in: 1...6)) { organic, synthetic in
            let order = try await serveOrder(organic: organic, synthetic: synthetic, floor: 1, keys: 2)
            #expect(Array(order.prefix(synthetic)) == Array(repeating: .synthetic, count: synthetic))
        }
    }
}
