import Foundation
import OrganicFramework
import OrganicTestKit
import PropertyBased
import Testing

@Suite("Miner selection")
struct MinerSelectorTests {
    func metagraph(_ count: Int, capacity: Int? = nil) -> Metagraph {
        Metagraph(neurons: (1...count).map { Neuron(uid: UInt16($0), hotkey: "m\($0)", url: "http://127.0.0.1:\(9000 + $0)", capacity: capacity) })
    }

    @Test("never more concurrent work than a miner's capacity, even under concurrent acquisition")
    func capacity() async {
        let selector = MinerSelector(metagraph: metagraph(3, capacity: 2), random: OrganicRandom(seed: 1))
        let acquired = await withTaskGroup(of: [Neuron].self) { group in
            for _ in 0..<20 { group.addTask { selector.acquire(endpoint: "e", count: 1) } }
            return await group.reduce(into: [Neuron]()) { $0 += $1 }
        }
        #expect(acquired.count == 6)
        for hotkey in ["m1", "m2", "m3"] { #expect(acquired.filter { $0.hotkey == hotkey }.count == 2) }
        let statuses = selector.statuses()
        #expect(statuses.allSatisfy { $0.inFlight == $0.capacity })
    }

    @Test("scored queries get distinct miners")
    func distinct() async {
        let selector = MinerSelector(metagraph: metagraph(5), random: OrganicRandom(seed: 2))
        let chosen = selector.acquire(endpoint: "e", count: 3)
        #expect(Set(chosen.map(\.hotkey)).count == 3)
    }

    @Test("cooldown doubles with each failure, is capped, and a success clears it")
    func cooldown() async {
        let clock = ManualNodeClock()
        let selector = MinerSelector(metagraph: metagraph(1), policy: .init(cooldownBase: .seconds(1), cooldownMax: .seconds(4)), clock: clock)
        #expect(selector.cooldown(afterFailures: 1) == .seconds(1))
        #expect(selector.cooldown(afterFailures: 2) == .seconds(2))
        #expect(selector.cooldown(afterFailures: 3) == .seconds(4))
        #expect(selector.cooldown(afterFailures: 10) == .seconds(4))

        var miner = selector.acquire(endpoint: "e", count: 1)
        selector.release(miner[0], endpoint: "e", result: .failure)
        #expect(selector.acquire(endpoint: "e", count: 1).isEmpty)
        clock.advance(by: .seconds(1))
        miner = selector.acquire(endpoint: "e", count: 1)
        #expect(miner.count == 1)
        selector.release(miner[0], endpoint: "e", result: .failure)
        clock.advance(by: .seconds(1.5))
        #expect(selector.acquire(endpoint: "e", count: 1).isEmpty)  // second cooldown is 2 s
        clock.advance(by: .seconds(0.5))
        miner = selector.acquire(endpoint: "e", count: 1)
        selector.release(miner[0], endpoint: "e", result: .success)
        #expect(selector.statuses()[0].consecutiveFailures == 0)
        #expect(selector.acquire(endpoint: "e", count: 1).count == 1)
    }

    @Test("a busy answer pauses the miner without counting as a failure")
    func busy() async {
        let clock = ManualNodeClock()
        let selector = MinerSelector(metagraph: metagraph(1), clock: clock)
        let miner = selector.acquire(endpoint: "e", count: 1)
        selector.release(miner[0], endpoint: "e", result: .busy)
        let status = selector.statuses()[0]
        #expect(status.failures == 0)
        #expect(status.state == .coolingDown)
    }

    @Test("a new hotkey at a reused uid starts fresh")
    func replacedMiner() async {
        let clock = ManualNodeClock()
        let selector = MinerSelector(metagraph: metagraph(1), clock: clock)
        let miner = selector.acquire(endpoint: "e", count: 1)
        selector.release(miner[0], endpoint: "e", result: .failure)
        selector.update(metagraph: Metagraph(neurons: [Neuron(uid: 1, hotkey: "new", url: "http://127.0.0.1:9001")]))
        #expect(selector.acquire(endpoint: "e", count: 1).map(\.hotkey) == ["new"])
    }

    @Test("miners that do not serve an endpoint are never chosen for it")
    func servesOnly() async {
        let neurons = [Neuron(uid: 1, hotkey: "a", url: "http://x", endpoints: ["one"]), Neuron(uid: 2, hotkey: "b", url: "http://y")]
        let selector = MinerSelector(metagraph: Metagraph(neurons: neurons))
        #expect(selector.acquire(endpoint: "two", count: 5).map(\.hotkey) == ["b"])
    }

    @Test("cooldowns are monotone in the failure count and never exceed the cap")
    func cooldownProperty() async {
        await propertyCheck(input: Gen.double(in: 0.01...10), Gen.double(in: 10...1000), Gen.int(in: 1...60)) { base, cap, n in
            let selector = MinerSelector(policy: .init(cooldownBase: .seconds(base), cooldownMax: .seconds(cap)))
            let a = selector.cooldown(afterFailures: n), b = selector.cooldown(afterFailures: n + 1)
            #expect(a <= b)
            #expect(b <= .seconds(cap) + .milliseconds(1))
        }
    }
}
