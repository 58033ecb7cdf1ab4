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
    @Option(help: "Selector admissions (each followed by its releases).") var admissions = 1_000_000

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
        let rounds = max(admissions, 1)
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = Self.processCPUSeconds()
        for i in 0..<rounds {
            let ticket = AdmissionTicket(endpoint: "e", traffic: .organic, flow: keys[i % keys.count], miners: 2, maxWait: .seconds(5))
            let miners = try await selector.admit(ticket, scored: true)
            for miner in miners { selector.release(miner, endpoint: "e", result: .success) }
        }
        // CPU time, not only wall time: on a shared machine the thread is often off the CPU, and
        // the target is a rate on one core.
        let cpu = (Self.processCPUSeconds() - cpuStart) * 1e9 / Double(rounds)
        let wall = (clock.now - start).secondsValue * 1e9 / Double(rounds)
        print(String(format: "selector admit(2 of 16 miners)+release: %.0f ns CPU (%.0f ns wall), %.0f per CPU-second (target >= 1,000,000 on one core)",
                     cpu, wall, 1e9 / cpu))
    }

    /// CPU time used by the process so far (every thread; the runtime's idle threads use next to none).
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
