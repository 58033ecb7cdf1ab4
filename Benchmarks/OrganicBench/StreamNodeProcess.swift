import ArgumentParser
import Foundation
import Logging
import OrganicFramework
import OrganicTestKit
import TextGenerationPlugin

/// `organic-bench stream-node` (not listed): the node of `organic-bench stream`'s own-core phase, in
/// a process of its own so that it can run on a core the miner and the client never use. It starts
/// the same node as the shared phase, in front of the miner at `--miner-url`, and the floor's bare
/// forwarder in front of the same miner; prints one line with both addresses; and exits when its
/// standard input closes (the benchmark holds it open while it measures).
struct StreamNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream-node",
        abstract: "The node of organic-bench stream's own-core phase (started by it).",
        shouldDisplay: false)

    @Option(help: "The text-generation miner to relay.") var minerURL: String
    @Flag(help: "API keys on, as `organic-bench stream --keys`.") var keys = false

    func run() async throws {
        var configuration = StreamBenchmark.nodeConfiguration(keys: keys)
        configuration.miners = [StaticMiner(uid: 1, hotkey: "local-miner-1", url: minerURL, stake: 0, capacity: 4096)]
        let node = try await OrganicNode(configuration: configuration, plugins: [try TextGenerationPlugin()], logger: StreamBenchmark.logger)
            .makeRunner()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            let publicURL = await node.addresses().publicURL
            let key = try await StreamBenchmark.benchKey(keys ? node.keys : nil)
            let (_, forwarder) = try await StreamBenchmark.startFloor(minerURL: minerURL)
            let ready = StreamNodeProcess.Ready(node: publicURL, forwarder: forwarder, key: key)
            FileHandle.standardOutput.write(try JSONEncoder().encode(ready) + Data("\n".utf8))
            // A thread of its own waits for the benchmark to let go, so no executor thread blocks on it.
            Thread.detachNewThread {
                _ = FileHandle.standardInput.readDataToEndOfFile()
                Foundation.exit(0)  // BenchScratch's atexit handler removes the node's database
            }
            try await group.waitForAll()
        }
    }
}

/// The benchmark's side of `stream-node`: starts it on the given cores, reads where it listens,
/// and reads the CPU time it has used (all its threads, ``cpuSeconds(pid:)``), so the node's cost
/// per relayed token is measured in its own process rather than taken as a difference.
///
/// Waiting for the child (its first line, its exit) blocks a thread, so it happens on a dispatch
/// queue, as in `ChildProcess`: the miner in this process needs the few cooperative threads.
/// `@unchecked Sendable`: the `Process` is only waited on, by ``stop()``, once it has started.
final class StreamNodeProcess: @unchecked Sendable {
    struct Ready: Codable, Sendable {
        var node: String
        var forwarder: String
        /// The API key to send, when the node checks keys.
        var key: String?
    }

    let ready: Ready
    let processIdentifier: Int32
    private let process: Process
    private let input: Pipe

    private init(ready: Ready, process: Process, input: Pipe) {
        self.ready = ready
        self.processIdentifier = process.processIdentifier
        self.process = process
        self.input = input
    }

    /// Starts the node pinned to `cpus` (with taskset) in front of `minerURL` and waits until it is ready.
    static func start(cpus: String, minerURL: String, keys: Bool) async throws -> StreamNodeProcess {
        let arguments = ["-c", cpus, try executablePath(), "stream-node", "--miner-url", minerURL] + (keys ? ["--keys"] : [])
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
                process.arguments = arguments
                let output = Pipe(), input = Pipe()
                process.standardOutput = output
                process.standardInput = input
                continuation.resume(with: Result {
                    try process.run()
                    // The first line is the node's addresses; the node writes nothing else.
                    var line = Data()
                    while !line.contains(UInt8(ascii: "\n")) {
                        // availableData returns what one read gets; read(upToCount:) would wait for the whole count.
                        let more = output.fileHandleForReading.availableData
                        guard !more.isEmpty else {
                            process.waitUntilExit()
                            throw ValidationError("stream-node exited with status \(process.terminationStatus) before it was ready")
                        }
                        line += more
                    }
                    let ready = try JSONDecoder().decode(Ready.self, from: line.prefix { $0 != UInt8(ascii: "\n") })
                    return StreamNodeProcess(ready: ready, process: process, input: input)
                })
            }
        }
    }

    /// Closes the node's standard input, which ends it, and waits for it to exit.
    func stop() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                try? self.input.fileHandleForWriting.close()
                self.process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    /// utime + stime from /proc/PID/stat, in clock ticks: fields 14 and 15, counted after the
    /// command name's closing parenthesis (the name may hold spaces).
    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so utime (field 14) is fields[11].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func executablePath() throws -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        guard FileManager.default.isExecutableFile(atPath: path) else { throw ValidationError("cannot find organic-bench's own executable") }
        return path
    }

    /// The cores this process may run on (Linux's Cpus_allowed_list), in order; empty when unknown.
    static func allowedCPUs() -> [Int] {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return [] }
        var cpus: [Int] = []
        for part in line.dropFirst("Cpus_allowed_list:".count).split(separator: ",") {
            let bounds = part.trimmingCharacters(in: .whitespaces).split(separator: "-").compactMap { Int($0) }
            guard let low = bounds.first, let high = bounds.last, low <= high else { return [] }
            cpus += Array(low...high)
        }
        return cpus
    }

    /// Pins every thread of this process to `cpus` (threads started later inherit it); false when
    /// taskset is missing or refuses.
    static func pinThisProcess(to cpus: String) async -> Bool {
        let result = try? await ChildProcess.run("/usr/bin/taskset", ["-a", "-p", "-c", cpus, "\(getpid())"])
        return result?.status == 0
    }
}
