import Foundation
import OrganicTestKit
import Synchronization
import Testing
@testable import OrganicFramework

/// A real fiber miner (fiber's own FastAPI app, Tests/Fixtures/fiber_miner.py) under uvicorn on
/// 127.0.0.1, run with the venv that scripts/test.sh makes for that fiber version.
struct FiberMinerPeer {
    struct Validator {
        var keypair: Sr25519Keypair
        var stake: Double
    }

    let url: String
    let hotkey: String
    /// The installed fiber version, as the miner reports it.
    let fiberVersion: String

    static func variable(_ version: FiberVersion) -> String {
        switch version {
        case .v1: "ORGANIC_PYTHON_FIBER1"
        case .v2: "ORGANIC_PYTHON_FIBER2"
        }
    }

    static func python(_ version: FiberVersion) -> String? {
        ProcessInfo.processInfo.environment[variable(version)].flatMap {
            FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
        }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fiber_miner.py").path

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func randomKeypair() throws -> Sr25519Keypair {
        var generator = SystemRandomNumberGenerator()
        return try Sr25519Keypair(miniSecretSeed: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Starts a miner that knows `validators` (hotkey and stake) and requires `minimumStake`,
    /// runs `body` with it and stops it.
    /// `encrypted` with fiber 2.x serves its `fiber.encrypted` package (1.0's protocol, still shipped).
    static func with<R>(_ version: FiberVersion, validators: [Validator], minimumStake: Double = 1000, encrypted: Bool = false,
                        _ body: (FiberMinerPeer) async throws -> R) async throws -> R {
        guard let python = python(version) else { throw Failed(description: "\(variable(version)) is not set") }
        let workdir = FileManager.default.temporaryDirectory.appendingPathComponent("fiber-miner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workdir) }
        var generator = SystemRandomNumberGenerator()
        let seed = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let config: [String: Any] = [
            "miner_seed": Hex.encode(seed, prefix0x: true),
            "validators": validators.map { ["hotkey": $0.keypair.ss58Address, "stake": $0.stake] },
            "min_stake": minimumStake,
            "lifetime": 300,
            "encrypted": encrypted,
        ]
        let ready = workdir.appendingPathComponent("ready")
        let exited = Mutex<ChildProcess.Result?>(nil)
        let process = Task {
            let result = try await ChildProcess.run(python, [script, workdir.path, ready.path],
                                                    stdin: try JSONSerialization.data(withJSONObject: config))
            exited.withLock { $0 = result }
            return result
        }
        func stop() async {
            _ = FileManager.default.createFile(atPath: workdir.appendingPathComponent("stop").path, contents: nil)
            _ = try? await process.value
        }
        let clock = ContinuousClock()
        let start = clock.now
        var announced: Data?
        while announced == nil {
            if let result = exited.withLock({ $0 }) {
                throw Failed(description: "fiber miner exited \(result.status):\n\(result.errorText.suffix(3000))")
            }
            if clock.now - start > .seconds(90) {
                await stop()
                throw Failed(description: "fiber miner did not start within 90 s")
            }
            announced = FileManager.default.contents(atPath: ready.path)
            if announced == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let info = try JSONSerialization.jsonObject(with: announced!) as? [String: Any] ?? [:]
        let peer = FiberMinerPeer(url: "http://127.0.0.1:\((info["port"] as? Int) ?? 0)",
                                  hotkey: info["miner_hotkey"] as? String ?? "",
                                  fiberVersion: info["fiber"] as? String ?? "")
        // Python derived the hotkey from the same seed: the two sr25519 implementations agree.
        #expect(peer.hotkey == (try Sr25519Keypair(miniSecretSeed: seed)).ss58Address)
        do {
            let result = try await body(peer)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    var miner: FiberMiner { FiberMiner(baseURL: url, hotkey: hotkey) }
}
