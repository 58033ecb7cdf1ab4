import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// The bridge process is bounded: one that hangs is killed after the timeout and the call
/// fails; one that prints no answer fails with what it wrote to stderr.
@Suite("Weights bridge process", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3"))
struct WeightsBridgeProcessTests {
    static func stub(_ source: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("organic-stub-bridge-\(UUID().uuidString).py")
        try source.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("a bridge that never answers is killed at the timeout and the call fails")
    func hangingBridgeIsKilled() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("organic-stub-pid-\(UUID().uuidString)")
        let stub = try Self.stub("""
            import os, sys, time
            open("\(pidFile.path)", "w").write(str(os.getpid()))
            time.sleep(600)
            """)
        defer { try? FileManager.default.removeItem(at: stub); try? FileManager.default.removeItem(at: pidFile) }
        let bridge = WeightsBridge(python: "/usr/bin/python3", script: stub.path, timeout: .milliseconds(1500))
        await #expect(throws: WeightsBridgeError.self) {
            try await bridge.set(uids: [1], weights: [65535], versionKey: 0, netuid: 1, target: .init(network: "local", wallet: "w", hotkey: "h"))
        }
        let pid = try #require(Int32(try String(contentsOf: pidFile, encoding: .utf8)), "the stub started and wrote its pid")
        #expect(await eventually { kill(pid, 0) != 0 }, "the hanging bridge \(pid) is gone")
        let status = await bridge.check()
        #expect(!status.available)
        #expect(status.detail.contains("no answer within"), "\(status.detail)")
    }

    @Test("a bridge that prints no JSON fails with its stderr")
    func stderrInTheError() async throws {
        let stub = try Self.stub("""
            import sys
            sys.stderr.write("Traceback: the SDK exploded\\n")
            sys.exit(3)
            """)
        defer { try? FileManager.default.removeItem(at: stub) }
        let status = await WeightsBridge(python: "/usr/bin/python3", script: stub.path).check()
        #expect(!status.available)
        #expect(status.detail.contains("the SDK exploded"), "\(status.detail)")
    }
}
