import Foundation
@testable import OrganicFramework
import OrganicTestKit
import PropertyBased
import Testing

/// The weight computation reads dense per-key sums that the score book keeps in step with its
/// period lists. These properties compare it, bit for bit, with the weights computed from
/// scratch out of the recorded scores, over random books driven through rollovers, pruning,
/// hotkeys that come and go, restores and random scoring settings.
@Suite("Weights from the score window (property-based)")
struct ScoreWindowPropertyTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)  // a multiple of 600 s

    struct Event {
        var miner: MinerIdentity
        var endpoint: String
        var score: Double
        var period: Int
    }

    struct Scenario {
        var events: [Event]
        var end: Date
        var settings: ScoringSettings
        var subnetEndpoints: Set<String>?
        var metagraph: Metagraph
    }

    static func scenario(seed: UInt64) -> Scenario {
        var random = OrganicRandom(seed: seed)
        let kept = Int.random(in: 1...6, using: &random)
        let endpoints = Array(["text", "image", "audio", "code"].prefix(Int.random(in: 1...4, using: &random)))
        var shares: [String: Double] = [:]
        for endpoint in endpoints { shares[endpoint] = [0, 0.1, 0.25, 0.3, 1.0 / 3, 0.7, 1][Int.random(in: 0...6, using: &random)] }
        let policy = WeightPolicy(exponent: [1, 2, 0.5][Int.random(in: 0...2, using: &random)],
                                  maxWeight: [1, 0.5, 0.3][Int.random(in: 0...2, using: &random)],
                                  minAllowedWeights: Int.random(in: 0...3, using: &random))
        let settings = ScoringSettings(periodsKept: kept, minimumPeriods: Int.random(in: 1...kept, using: &random),
                                       endpointWeights: shares, weightPolicy: policy)
        let hotkeys = (0..<Int.random(in: 1...12, using: &random)).map { "h\($0)" }
        let periods = Int.random(in: 1...(3 * kept + 1), using: &random)
        var events: [Event] = []
        for period in 0..<periods {
            // Some hotkeys go quiet for a while, so that their rows empty and are reused.
            let active = hotkeys.filter { _ in Int.random(in: 0...3, using: &random) > 0 }
            for _ in 0..<Int.random(in: 0...25, using: &random) where !active.isEmpty {
                let hotkey = active[Int.random(in: 0..<active.count, using: &random)]
                let score: Double = switch Int.random(in: 0...12, using: &random) {
                case 0: .nan
                case 1: 1.5
                case 2: -0.25
                default: Double.random(in: 0...1, using: &random)
                }
                events.append(Event(miner: MinerIdentity(uid: UInt16(hotkeys.firstIndex(of: hotkey) ?? 0), hotkey: hotkey),
                                    endpoint: endpoints[Int.random(in: 0..<endpoints.count, using: &random)], score: score, period: period))
            }
        }
        // The metagraph: some scored hotkeys (at shuffled uids), some strangers, not every scored hotkey.
        var neurons: [Neuron] = []
        var uids = Array(UInt16(0)..<UInt16(hotkeys.count + 4))
        uids.shuffle(using: &random)
        for (i, hotkey) in (hotkeys + ["stranger-1", "stranger-2"]).enumerated() where Int.random(in: 0...4, using: &random) > 0 {
            neurons.append(Neuron(uid: uids[i], hotkey: hotkey, url: nil))
        }
        let end = start.addingTimeInterval(Double(periods - 1) * 600 + [0, 599, 600, 1200][Int.random(in: 0...3, using: &random)])
        let subnet: Set<String>? = Bool.random(using: &random) ? nil : Set(endpoints.filter { _ in Bool.random(using: &random) })
        return Scenario(events: events, end: end, settings: settings, subnetEndpoints: subnet, metagraph: Metagraph(netuid: 7, neurons: neurons))
    }

    /// The weights computed from nothing but the events: period means from sums of clamped
    /// scores, the mean of the means in the window with the newcomer penalty, endpoint shares
    /// summed in name order, then the metagraph's uids in order.
    static func reference(_ scenario: Scenario) -> WeightReport {
        let settings = scenario.settings
        struct Cell: Hashable { var hotkey: String; var endpoint: String; var period: Int64 }
        var sums: [Cell: (sum: Double, count: Int)] = [:]
        for event in scenario.events where event.score.isFinite {
            let cell = Cell(hotkey: event.miner.hotkey, endpoint: event.endpoint, period: ScoringPeriods.index(
                of: start.addingTimeInterval(Double(event.period) * 600), periodSeconds: settings.periodSeconds))
            sums[cell, default: (0, 0)].sum += min(max(event.score, 0), 1)
            sums[cell, default: (0, 0)].count += 1
        }
        let current = ScoringPeriods.index(of: scenario.end, periodSeconds: settings.periodSeconds)
        func endpointScore(_ hotkey: String, _ endpoint: String) -> Double {
            var total = 0.0
            var n = 0
            for period in (current - Int64(settings.periodsKept))..<current {
                guard let cell = sums[Cell(hotkey: hotkey, endpoint: endpoint, period: period)] else { continue }
                total += cell.sum / Double(cell.count)
                n += 1
            }
            guard n > 0 else { return 0 }
            return min(max(total / Double(n) * min(1, Double(n) / Double(settings.minimumPeriods)), 0), 1)
        }
        func minerScore(_ hotkey: String) -> Double {
            var score = 0.0
            for endpoint in settings.endpointWeights.keys.sorted() where scenario.subnetEndpoints?.contains(endpoint) ?? true {
                guard let share = settings.endpointWeights[endpoint], share > 0 else { continue }
                score += share * endpointScore(hotkey, endpoint)
            }
            return score
        }
        var uids: [UInt16] = []
        var scores: [Double] = []
        for neuron in scenario.metagraph.neurons.sorted(by: { $0.uid < $1.uid }) where uids.last.map({ $0 < neuron.uid }) ?? true {
            uids.append(neuron.uid)
            scores.append(minerScore(neuron.hotkey))
        }
        let (normalized, vector) = WeightCalculator.vector(uids: uids, scores: scores, policy: settings.weightPolicy)
        return WeightReport(computedAt: scenario.end, period: current, netuid: scenario.metagraph.netuid, uids: vector.uids,
                            weights: vector.weights,
                            normalized: zip(uids, normalized).filter { $0.1 > 0 }.map { WeightReport.Share(uid: $0.0, weight: $0.1) })
    }

    static func board(_ book: ScoreBook, _ scenario: Scenario) -> ScoreBoard {
        let metagraph = scenario.metagraph
        return ScoreBoard(book: book, settings: scenario.settings, clock: ManualNodeClock(start: scenario.end),
                          endpoints: scenario.subnetEndpoints, metagraph: { metagraph })
    }

    static func play(_ scenario: Scenario, into book: ScoreBook) {
        for event in scenario.events {
            book.record(event.score, miner: event.miner, endpoint: event.endpoint,
                        at: start.addingTimeInterval(Double(event.period) * 600 + 1))
        }
    }

    @Test("the weights set equal the weights computed from scratch, bit for bit (u16 and normalised)")
    func windowMatchesReference() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            let scenario = Self.scenario(seed: seed)
            let book = ScoreBook(periodSeconds: 600, periodsKept: scenario.settings.periodsKept, now: Self.start)
            Self.play(scenario, into: book)
            let board = Self.board(book, scenario)
            let expected = Self.reference(scenario)
            let report = await board.weights()
            #expect(report == expected)
            // Again, from the board's cached plan.
            #expect(await board.weights() == expected)
            // The period lists give the same numbers.
            var snapshot = book.snapshot(at: scenario.end)
            if let subnet = scenario.subnetEndpoints { snapshot.history = snapshot.history.filter { subnet.contains($0.key.endpoint) } }
            #expect(ScoreBoard.weights(snapshot, metagraph: scenario.metagraph, settings: scenario.settings, at: scenario.end) == expected)
        }
    }

    @Test("a book restored from its stored rows sets the same weights")
    func restoredMatchesReference() async {
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            let scenario = Self.scenario(seed: seed)
            let book = ScoreBook(periodSeconds: 600, periodsKept: scenario.settings.periodsKept, now: Self.start)
            Self.play(scenario, into: book)
            let rows = book.takeUnsaved()
            // Restored at the last event's time (the running sums of its period come back as such), then advanced.
            let lastEvent = Self.start.addingTimeInterval(Double(scenario.events.last?.period ?? 0) * 600 + 1)
            let restored = ScoreBook(periodSeconds: 600, periodsKept: scenario.settings.periodsKept, now: lastEvent)
            restored.restore(rows, now: lastEvent)
            #expect(await Self.board(restored, scenario).weights() == Self.reference(scenario))
        }
    }
}
