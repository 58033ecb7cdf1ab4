import ArgumentParser
import Foundation
import OrganicFramework
import OrganicTestKit

/// `organic-bench scoring`: how fast round scores are recorded in memory and how long the
/// weight computation takes for large metagraphs, through the path the weight-setting service
/// takes (``ScoreBoard/weights()``: book → scores → metagraph order → u16 vector). Targets:
/// recording at least 1,000,000 scores/s (issue 5); weights for 4,096 miners × 10 endpoints ×
/// 30 periods under 1 ms (issue 15).
struct ScoringBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scoring", abstract: "Measure score recording and weight computation (build with -c release).")

    @Option(help: "Scores to record.") var records = 5_000_000
    @Option(help: "Weight computations per size (the median is reported).") var repetitions = 200

    func run() async throws {
        let recordRate = Self.measureRecording(count: records)
        print(String(format: "record a score (256 miners x 10 endpoints): %.0f scores/s (target >= 1,000,000)", recordRate))
        for miners in [256, 1024, 4096] {
            let (median, p99) = await Self.measureWeights(miners: miners, endpoints: 10, periods: 30, repetitions: repetitions)
            let target = miners == 4096 ? " (target < 1 ms)" : ""
            print(String(format: "weights for %d miners x 10 endpoints x 30 periods: median %.3f ms, p99 %.3f ms%@",
                         miners, median * 1000, p99 * 1000, target))
        }
        let rollover = Self.measureRollover(miners: 4096, endpoints: 10, periods: 30, rollovers: 5)
        print(String(format: "period rollover for 4096 miners x 10 endpoints (freeze, drop the oldest, re-sum the window): median %.1f ms", rollover * 1000))
    }

    /// Median seconds of a period boundary on a full book, every key scored in the closing period:
    /// the work that keeps the weight computation to a pass over sums, done once per period.
    static func measureRollover(miners count: Int, endpoints endpointCount: Int, periods: Int, rollovers: Int) -> Double {
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        let book = ScoreBook(periodSeconds: 600, periodsKept: periods, now: now)
        let identities = miners(count)
        let endpoints = endpointNames(endpointCount)
        let clock = ContinuousClock()
        var samples: [Double] = []
        for round in 0..<(periods + rollovers) {
            for miner in identities {
                for endpoint in endpoints { book.record(0.5, miner: miner, endpoint: endpoint, at: now) }
            }
            now = now.addingTimeInterval(600)
            let began = clock.now
            book.advance(to: now)
            if round >= periods { samples.append(seconds(clock.now - began)) }
            _ = book.takeUnsaved()
        }
        samples.sort()
        return samples[samples.count / 2]
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

    /// Median and p99 seconds of ``ScoreBoard/weights()`` over a full book: every miner scored on
    /// every endpoint in each of the kept periods.
    static func measureWeights(miners count: Int, endpoints endpointCount: Int, periods: Int, repetitions: Int) async -> (Double, Double) {
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
        let board = ScoreBoard(book: book, settings: settings, clock: ManualNodeClock(start: now), metagraph: { metagraph })
        let clock = ContinuousClock()
        var samples: [Double] = []
        var checksum = 0
        for _ in 0..<max(repetitions, 1) {
            let began = clock.now
            let report = await board.weights()
            samples.append(seconds(clock.now - began))
            checksum &+= report.uids.count
        }
        precondition(checksum == count * max(repetitions, 1), "every miner must have a weight")
        samples.sort()
        return (samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)])
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
