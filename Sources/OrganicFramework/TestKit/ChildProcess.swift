import Dispatch
public import Foundation
import Synchronization

/// Runs a command (a Python peer, the `organic` CLI) and collects its output without blocking
/// Swift concurrency's few cooperative threads.
///
/// `Process.waitUntilExit()` and pipe reads block their thread. Called from a test they stall
/// every task sharing the pool (on a 2-core machine, two such calls stop the whole suite, nodes
/// included); here they run on a dispatch queue and the caller awaits the result.
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: Data
        public var error: Data

        /// Standard output as UTF-8 text.
        public var outputText: String { String(decoding: output, as: UTF8.self) }
        /// Standard error as UTF-8 text.
        public var errorText: String { String(decoding: error, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, writing `stdin` to its standard input, and returns its
    /// exit status and outputs. `environment` nil inherits this process's.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdin: Data? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                if let environment { process.environment = environment }
                let input = Pipe(), output = Pipe(), error = Pipe()
                process.standardInput = input
                process.standardOutput = output
                process.standardError = error
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                // Standard error is drained on its own queue so that neither pipe can fill up and
                // block the child while the other is read.
                let errorData = Mutex<Data>(Data())
                let drained = DispatchGroup()
                drained.enter()
                DispatchQueue.global().async {
                    let data = error.fileHandleForReading.readDataToEndOfFile()
                    errorData.withLock { $0 = data }
                    drained.leave()
                }
                if let stdin { input.fileHandleForWriting.write(stdin) }
                try? input.fileHandleForWriting.close()
                let outputData = output.fileHandleForReading.readDataToEndOfFile()
                drained.wait()
                process.waitUntilExit()
                continuation.resume(returning: Result(status: process.terminationStatus, output: outputData,
                                                      error: errorData.withLock { $0 }))
            }
        }
    }
}
