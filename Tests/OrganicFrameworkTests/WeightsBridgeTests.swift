import Foundation
import Testing
@testable import OrganicFramework

@Suite("Weights on the chain: SDK bridge")
struct WeightsBridgeTests {
    static let python: String? = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap {
        FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    }
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repository.appendingPathComponent("Tools/weights_bridge.py").path

    @Test func quantisesLikeTheChainExpects() throws {
        let result = try ChainWeights.u16(uids: [0, 1, 2, 5], weights: [0.1, 0.5, 0, 0.25])
        #expect(result.uids == [0, 1, 5])
        #expect(result.weights == [13107, 65535, 32768])
        #expect(try ChainWeights.u16(uids: [1, 2], weights: [0, 0]).uids.isEmpty)
        #expect(throws: ChainWeights.Failure.invalidWeight) { try ChainWeights.u16(uids: [1], weights: [.nan]) }
        #expect(throws: ChainWeights.Failure.lengthMismatch) { try ChainWeights.u16(uids: [1], weights: []) }
    }

    /// Our conversion equals the SDK's own (`bittensor.intents.weights.normalize`) on random vectors.
    @Test(.enabled(if: python != nil)) func conversionMatchesTheSDK() async throws {
        let bridge = WeightsBridge(python: Self.python ?? "python3", script: Self.script)
        // Random vectors (seeded): lengths 1...256, some zeros, some tiny weights that round to 0.
        var random = OrganicRandom(seed: 0x5eed)
        var vectors: [(uids: [UInt16], weights: [Double])] = []
        for _ in 0..<200 {
            let count = Int.random(in: 1...256, using: &random)
            let weights = (0..<count).map { _ -> Double in
                switch Int.random(in: 0..<10, using: &random) {
                case 0: 0
                case 1: Double.random(in: 0...1e-5, using: &random)
                default: Double.random(in: 0...1, using: &random)
                }
            }
            vectors.append(((0..<count).map { UInt16($0 * 3) }, weights))
        }
        let sdk = try await bridge.convert(vectors)
        #expect(sdk.count == vectors.count)
        for (vector, theirs) in zip(vectors, sdk) {
            let ours = try ChainWeights.u16(uids: vector.uids, weights: vector.weights)
            #expect(theirs.uids == ours.uids)
            #expect(theirs.weights == ours.weights)
        }
    }

    @Test(.enabled(if: python != nil)) func checkReportsTheSDK() async throws {
        let status = await WeightsBridge(python: Self.python ?? "python3", script: Self.script).check()
        #expect(status.available)
        #expect(status.detail.hasPrefix("bittensor "))
    }

    @Test func missingSDKOrInterpreterIsReportedClearly() async throws {
        let missingInterpreter = WeightsBridge(python: "/nonexistent/python3", script: Self.script)
        #expect(!(await missingInterpreter.check()).available)
        // The system python has no bittensor: the bridge itself says so.
        let setter = BittensorWeightSetter(bridge: WeightsBridge(python: "/usr/bin/python3", script: Self.script,
                                                                 environment: ["PYTHONPATH": "", "PYTHONNOUSERSITE": "1"]),
                                           target: .init(network: "local", wallet: "w", hotkey: "h"), netuid: 1)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
           !(await setter.bridge.check()).available {
            await #expect(throws: WeightsBridgeError.self) { try await setter.checkSDK() }
        }
    }

    /// The request a set sends, seen by a stand-in bridge that echoes it back as the result.
    @Test func setSendsOneRequestWithTheVector() async throws {
        let stub = FileManager.default.temporaryDirectory.appendingPathComponent("organic-stub-bridge-\(UUID().uuidString).py")
        try """
        import json, sys
        req = json.load(sys.stdin)
        print(json.dumps({"ok": req["op"] == "set_weights", "result": json.dumps(req, sort_keys=True), "error": "bad op"}))
        """.write(to: stub, atomically: true, encoding: .utf8)
        let bridge = WeightsBridge(python: "python3", script: stub.path)
        let echoed = try await bridge.set(uids: [1, 4], weights: [65535, 100], versionKey: 7, netuid: 19,
                                          target: .init(network: "ws://127.0.0.1:9944", wallet: "val", hotkey: "hk"))
        let request = try #require(try JSONSerialization.jsonObject(with: Data(echoed.utf8)) as? [String: Any])
        #expect(request["uids"] as? [Int] == [1, 4])
        #expect(request["weights"] as? [Int] == [65535, 100])
        #expect(request["netuid"] as? Int == 19)
        #expect(request["version_key"] as? Int == 7)
        #expect(request["wallet"] as? String == "val")
        #expect(request["network"] as? String == "ws://127.0.0.1:9944")
    }

    @Test func configurationNeedsWalletAndNetuid() throws {
        var configuration = NodeConfiguration()
        #expect(try BittensorWeightSetter.configured(by: configuration) == nil)
        configuration.chain.setWeights = true
        #expect(throws: ConfigurationError.self) { try BittensorWeightSetter.configured(by: configuration) }
        configuration.node.wallet = "val"
        configuration.node.hotkey = "hk"
        configuration.chain.netuid = 19
        configuration.chain.endpoint = "ws://127.0.0.1:9944"
        let setter = try #require(try BittensorWeightSetter.configured(by: configuration))
        #expect(setter.target.network == "ws://127.0.0.1:9944")
        #expect(setter.netuid == 19)
    }
}
