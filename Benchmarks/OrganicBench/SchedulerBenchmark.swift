import ArgumentParser
import Foundation
import OrganicFramework

/// The scheduler's own overhead: fair-queue enqueue+dequeue throughput, its cost as the queue
/// grows, and the selector's admit+release fast path.
struct SchedulerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler", abstract: "Fair queue and admission overhead, single-threaded.")

    @Option(help: "Enqueue+dequeue pairs per measurement.") var operations = 2_000_000
    @Option(help: "Distinct flows (API keys).") var flows = 64

    func run() async throws {
        let keys = (0..<flows).map { "key-\($0)" }
        print("organic-bench scheduler: \(operations) enqueue+dequeue pairs, \(flows) flows")
        print("queued   ns/pair   pairs/s")
        for depth in [0, 100, 1_000, 10_000, 100_000] {
            var queue = FairQueue<UInt64>()
            for i in 0..<depth { queue.enqueue(UInt64(i), flow: keys[i % keys.count], weight: i % 5 == 0 ? 4 : 1) }
            let clock = ContinuousClock()
            var checksum: UInt64 = 0
            let elapsed = clock.measure {
                for i in 0..<operations {
                    queue.enqueue(UInt64(i), flow: keys[i % keys.count], weight: i % 5 == 0 ? 4 : 1)
                    if let next = queue.dequeue() { checksum &+= next.element }
                }
            }
            let nsPerPair = elapsed.secondsValue * 1e9 / Double(operations)
            print(String(format: "%6d   %7.1f   %9.0f", depth, nsPerPair, 1e9 / nsPerPair) + (checksum == 0 ? " " : ""))
        }

        // The selector's fast path: admit (free capacity, nothing queued) then release.
        let neurons = (1...16).map { Neuron(uid: UInt16($0), hotkey: "m\($0)", url: "http://127.0.0.1:\(9000 + $0)", capacity: 64) }
        let selector = MinerSelector(metagraph: Metagraph(neurons: neurons), random: OrganicRandom(seed: 1))
        let rounds = max(operations / 10, 1)
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<rounds {
            let ticket = AdmissionTicket(endpoint: "e", traffic: .organic, flow: keys[i % keys.count], miners: 2, maxWait: .seconds(5))
            let miners = try await selector.admit(ticket, scored: true)
            for miner in miners { selector.release(miner, endpoint: "e", result: .success) }
        }
        let perAdmission = (clock.now - start).secondsValue * 1e9 / Double(rounds)
        print(String(format: "selector admit(2 of 16 miners)+release: %.0f ns, %.0f per second", perAdmission, 1e9 / perAdmission))
    }
}
