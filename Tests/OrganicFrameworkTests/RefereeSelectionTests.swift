import Foundation
import OrganicTestKit
import Testing

@testable import OrganicFramework

@Suite("Referee selection and random pairing")
struct RefereeSelectionTests {
    static func selector(_ neurons: [Neuron], seed: UInt64 = 1) -> (MinerSelector, ManualNodeClock) {
        let clock = ManualNodeClock()
        return (MinerSelector(metagraph: Metagraph(neurons: neurons), clock: clock, random: OrganicRandom(seed: seed)), clock)
    }

    static func neurons(_ count: Int) -> [Neuron] {
        (0..<count).map { Neuron(uid: UInt16($0), hotkey: "m\($0)", coldkey: "c\($0)", url: "http://127.0.0.1:1") }
    }

    @Test("synthetic pairs change from round to round and every miner keeps being chosen")
    func randomPairs() {
        let (selector, clock) = Self.selector(Self.neurons(16))
        var pairs = Set<Set<String>>()
        var chosen = Set<String>()
        for _ in 0..<64 {
            let miners = selector.acquire(endpoint: "e", count: 2, traffic: .synthetic)
            #expect(miners.count == 2)
            pairs.insert(Set(miners.map(\.hotkey)))
            chosen.formUnion(miners.map(\.hotkey))
            for miner in miners { selector.release(miner, endpoint: "e", result: .success) }
            clock.advance(by: .seconds(1))
        }
        #expect(chosen.count == 16)
        // Picking both by recency would repeat 8 fixed pairs; random partners give many more.
        #expect(pairs.count > 30)
    }

    @Test("referees are free miners that did not answer, share no answerer's coldkey, and are not both answerers' usual partners")
    func refereeRules() {
        var neurons = Self.neurons(6)
        neurons[5].coldkey = "c1"  // m5 belongs to answerer m1's owner
        let (selector, _) = Self.selector(neurons)
        // m2 keeps answering with both m0 and m1; m3 only with m0.
        for _ in 0..<10 {
            selector.recordPartners(["m0", "m2"])
            selector.recordPartners(["m1", "m2"])
            selector.recordPartners(["m0", "m3"])
        }
        selector.recordPartners(["m0", "m4"])
        selector.recordPartners(["m1", "m4"])
        // Many miners met once each (outside this metagraph) set the average meeting count.
        for i in 0..<30 {
            selector.recordPartners(["m0", "x\(i)"])
            selector.recordPartners(["m1", "x\(i)"])
        }
        let answerers = [neurons[0], neurons[1]]
        for _ in 0..<20 {
            let referees = selector.acquireReferees(endpoint: "e", count: 3, answerers: answerers, excluding: ["m0", "m1"])
            let hotkeys = Set(referees.map(\.hotkey))
            #expect(hotkeys == ["m3", "m4"])
            for referee in referees { selector.release(referee, endpoint: "e", result: .success) }
        }
    }

    @Test("usual partners are those met far more often than the average partner")
    func ledger() {
        var ledger = PartnerLedger()
        for i in 0..<20 { ledger.record(["a", "p\(i)"]) }
        for _ in 0..<6 { ledger.record(["a", "friend"]) }
        #expect(ledger.usualPartners(of: "a") == ["friend"])
        #expect(ledger.meetings("a", "friend") == 6)
        ledger.keep(only: ["friend"])
        #expect(ledger.usualPartners(of: "a").isEmpty)
    }
}
