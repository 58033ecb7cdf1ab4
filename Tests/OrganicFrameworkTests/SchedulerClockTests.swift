import Foundation
import OrganicFramework
import OrganicTestKit
import Testing

/// Deadlines and cooldowns follow the clock's monotonic uptime: time passing ends them, a step of
/// the wall clock does not; and what only time frees (a cooldown ending) still reaches waiters.
@Suite("Scheduler time")
struct SchedulerClockTests {
    func selector(_ clock: ManualNodeClock, capacity: Int = 1) -> (MinerSelector, Neuron) {
        let neuron = Neuron(uid: 1, hotkey: "m1", url: "http://127.0.0.1:9001", capacity: capacity)
        let policy = MinerSelector.Policy(cooldownBase: .seconds(2), cooldownMax: .seconds(60))
        return (MinerSelector(metagraph: Metagraph(neurons: [neuron]), policy: policy, clock: clock, random: OrganicRandom(seed: 8)), neuron)
    }

    func ticket(wait: Duration) -> AdmissionTicket {
        AdmissionTicket(endpoint: "e", traffic: .organic, flow: "k", miners: 1, maxWait: wait)
    }

    @Test("a waiter gets a miner when its cooldown ends, without any release")
    func cooldownEndWakesWaiter() async throws {
        let clock = ManualNodeClock()
        let (s, _) = selector(clock)
        let first = try await s.admit(ticket(wait: .seconds(10)), scored: false)
        s.release(first[0], endpoint: "e", result: .failure)  // cooling down for 2 s
        let waiting = Task { try await s.admit(self.ticket(wait: .seconds(10)), scored: false) }
        #expect(await eventually { s.queueStatuses().first?.queuedOrganic == 1 && clock.sleeperCount == 1 })
        clock.advance(by: .seconds(1))
        #expect(s.queueStatuses().first?.queuedOrganic == 1)
        clock.advance(by: .seconds(1))
        #expect(try await waiting.value.map(\.hotkey) == ["m1"])
        #expect(s.queueStatuses().first?.admittedAfterWait == 1)
    }

    @Test("stepping the wall clock neither expires nor extends a waiting request, nor ends or stretches a cooldown")
    func wallClockSteps() async throws {
        let clock = ManualNodeClock()
        let (s, neuron) = selector(clock)
        let held = try await s.admit(ticket(wait: .seconds(10)), scored: false)
        let waiting = Task { try await s.admit(self.ticket(wait: .seconds(5)), scored: false) }
        #expect(await eventually { s.queueStatuses().first?.queuedOrganic == 1 && clock.sleeperCount == 1 })
        clock.stepWallClock(by: .seconds(3_600))  // an hour ahead: the request has not waited 5 s
        clock.stepWallClock(by: .seconds(-7_200))  // and back
        #expect(clock.sleeperCount == 1)
        #expect(s.queueStatuses().first?.queuedOrganic == 1)
        clock.advance(by: .seconds(5))  // 5 s of real waiting: it is shed
        await #expect(throws: AdmissionRefusal.deadlineExceeded(retryAfterSeconds: 1)) { _ = try await waiting.value }

        // A failure's 2 s cooldown is not ended by the wall clock jumping ahead.
        s.release(held[0], endpoint: "e", result: .failure)
        clock.stepWallClock(by: .seconds(3_600))
        #expect(s.acquire(endpoint: "e", count: 1).isEmpty)
        #expect(s.statuses().first?.state == .coolingDown)
        clock.advance(by: .seconds(2))
        #expect(s.acquire(endpoint: "e", count: 1).map(\.hotkey) == [neuron.hotkey])
    }

    @Test("a miner that leaves the metagraph and comes back keeps its requests in flight counted")
    func departedMinerKeepsItsLoad() async throws {
        let clock = ManualNodeClock()
        let (s, neuron) = selector(clock)
        let held = s.acquire(endpoint: "e", count: 1)
        #expect(held.count == 1)
        let other = Neuron(uid: 2, hotkey: "m2", url: "http://127.0.0.1:9002", capacity: 1)
        s.update(metagraph: Metagraph(neurons: [other]))
        s.update(metagraph: Metagraph(neurons: [neuron, other]))
        // Still one in flight to m1 (its capacity): only m2 is free.
        #expect(s.acquire(endpoint: "e", count: 2).map(\.hotkey) == ["m2"])
        s.release(held[0], endpoint: "e", result: .success)
        #expect(s.acquire(endpoint: "e", count: 1).map(\.hotkey) == ["m1"])
    }
}
