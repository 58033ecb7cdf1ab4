import ArgumentParser
import Foundation
import OrganicFramework

/// `organic-bench scoring`: how fast round scores are recorded in memory and how long the
/// weight computation takes for large metagraphs. Targets (issue 5): recording at least
/// 1,000,000 scores/s; weights for 256 miners × 10 endpoints × 30 periods under 1 ms.
struct ScoringBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scoring", abstract: "Measure score recording and weight computation (build with -c release).")

    @Option(help: "Scores to record.") var records = 5_000_000
    @Option(help: "Weight computations per size (the median is reported).") var repetitions = 200

    func run() async throws {
        let recordRate = Self.measureRecording(count: records)
        print(String(format: "record a score (256 miners x 10 endpoints): %.0f scores/s (target >= 1,000,000)", recordRate))
        for miners in [256, 1024, 4096] {
            let (median, p99) = Self.measureWeights(miners: miners, endpoints: 10, periods: 30, repetitions: repetitions)
            let target = miners == 256 ? " (target < 1 ms)" : ""
            print(String(format: "weights for %d miners x 10 endpoints x 30 periods: median %.3f ms, p99 %.3f ms%@",
                         miners, median * 1000, p99 * 1000, target))
        }
    }

    static func endpointNames(_ count: Int) -> [String] { (0..<count).map { "endpoint-\($0)" } }

    static func miners(_ count: Int) -> [MinerIdentity] {
        (0..<count).map { MinerIdentity(uid: UInt16($0), hotkey: "5Hotkey\($0)-" + String(repeating: "x", count: 40)) }
    }

    /// Scores recorded per second into one book, cycling through 256 miners and 10 endpoints.
    static func measureRecording(count: Int) -> Double {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: start)
        let identities = miners(256)
        let endpoints = endpointNames(10)
        let clock = ContinuousClock()
        let began = clock.now
        var score = 0.0
        for i in 0..<count {
            score += 0.618_033_988_7
            if score >= 1 { score -= 1 }
            book.record(score, miner: identities[i & 255], endpoint: endpoints[i % 10], at: start)
        }
        let elapsed = clock.now - began
        return Double(count) / seconds(elapsed)
    }

    /// Median and p99 seconds of snapshot + scores + weights for a full book.
    static func measureWeights(miners count: Int, endpoints endpointCount: Int, periods: Int, repetitions: Int) -> (Double, Double) {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let settings = ScoringSettings(endpointWeights: Dictionary(uniqueKeysWithValues: endpointNames(endpointCount).map { ($0, 1 / Double(endpointCount)) }))
        let book = ScoreBook(periodSeconds: settings.periodSeconds, periodsKept: settings.periodsKept, now: now)
        let current = book.currentPeriod
        var rows: [PeriodRow] = []
        var random = OrganicRandom(seed: 7)
        let identities = miners(count)
        for miner in identities {
            for endpoint in endpointNames(endpointCount) {
                for p in 1...periods {
                    rows.append(PeriodRow(hotkey: miner.hotkey, endpoint: endpoint, period: current - Int64(p), uid: miner.uid,
                                          sum: Double.random(in: 0...10, using: &random), rounds: 10))
                }
            }
        }
        book.restore(rows, now: now)
        let metagraph = Metagraph(neurons: identities.map { Neuron(uid: $0.uid, hotkey: $0.hotkey, url: "http://127.0.0.1:1") })
        let clock = ContinuousClock()
        var samples: [Double] = []
        var checksum = 0
        for _ in 0..<max(repetitions, 1) {
            let began = clock.now
            let snapshot = book.snapshot(at: now)
            let scores = ScoreCalculator.minerScores(snapshot, endpointWeights: settings.endpointWeights, minimumPeriods: settings.minimumPeriods)
            let (uids, values) = ScoreCalculator.metagraphScores(scores, metagraph: metagraph)
            let result = WeightCalculator.vector(uids: uids, scores: values, policy: settings.weightPolicy)
            samples.append(seconds(clock.now - began))
            checksum &+= result.vector.uids.count
        }
        precondition(checksum > 0, "no weights computed")
        samples.sort()
        return (samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)])
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
