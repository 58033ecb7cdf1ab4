import Foundation
import OrganicTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An `organic serve` run as a child process on a configuration file, so that a test can kill
/// it with SIGKILL. Its output goes to `log` (read it when a test fails).
final class NodeProcess: @unchecked Sendable {
    let publicURL: String
    let adminURL: String
    let log: URL
    private let process: Process

    /// Starts `organic serve` with `yaml`; ports are chosen here (free loopback ports).
    init(executable: String, yaml: (_ publicPort: Int, _ adminPort: Int) -> String, directory: URL) throws {
        let ports = (try Self.freePort(), try Self.freePort())
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("organic.yaml")
        try yaml(ports.0, ports.1).write(to: config, atomically: true, encoding: .utf8)
        log = directory.appendingPathComponent("node.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", config.path]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        publicURL = "http://127.0.0.1:\(ports.0)"
        adminURL = "http://127.0.0.1:\(ports.1)"
    }

    var isRunning: Bool { process.isRunning }

    /// `kill -9`: no shutdown, no settlement, the database session just ends.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// SIGTERM: a graceful stop (in-flight requests finish and settle).
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// A loopback port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw HarnessError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
