import Foundation
import Subprocess
import SystemPackage

/// Runs `Tools/weights_bridge.py` with the official Bittensor SDK: one process per call,
/// one JSON object in on stdin, one out on stdout (see the script's docstring).
package struct WeightsBridge: Sendable {
    /// Python interpreter that has `bittensor` installed.
    package var python: String
    /// Path of `weights_bridge.py`.
    package var script: String
    /// Extra environment for the bridge (e.g. `ORGANIC_WALLET_PASSWORD`); the node's own
    /// environment is inherited.
    package var environment: [String: String]
    /// Longest one bridge call may take (setting weights waits for the chain); then the process
    /// is killed and the call fails.
    package var timeout: Duration

    package init(python: String = "python3", script: String = "Tools/weights_bridge.py", environment: [String: String] = [:],
                timeout: Duration = .seconds(120)) {
        self.python = python
        self.script = script
        self.environment = environment
        self.timeout = timeout
    }

    /// What `check` found.
    package struct SDKStatus: Sendable, Equatable {
        package var available: Bool
        /// `bittensor <version>` or the reason it is unusable.
        package var detail: String
    }

    /// Where to set weights, and as whom.
    package struct Target: Sendable, Equatable {
        package var network: String
        package var wallet: String
        package var hotkey: String
        package var walletPath: String?

        package init(network: String, wallet: String, hotkey: String, walletPath: String? = nil) {
            self.network = network
            self.wallet = wallet
            self.hotkey = hotkey
            self.walletPath = walletPath
        }
    }

    /// Whether the SDK can be imported; never throws (a missing interpreter is reported too).
    package func check() async -> SDKStatus {
        do {
            let answer = try await run(BridgeRequest(op: "check"))
            if answer.ok { return SDKStatus(available: true, detail: answer.sdk ?? "bittensor") }
            return SDKStatus(available: false, detail: answer.error ?? "unknown error")
        } catch {
            return SDKStatus(available: false, detail: "\(error)")
        }
    }

    /// Sets `weights` (u16, parallel to `uids`) on `netuid`; throws with the SDK's message on failure.
    @discardableResult
    package func set(uids: [UInt16], weights: [UInt16], versionKey: UInt64, netuid: UInt16, target: Target) async throws -> String {
        guard uids.count == weights.count else { throw WeightsBridgeError.failed("uids and weights differ in length") }
        var request = BridgeRequest(op: "set_weights")
        request.netuid = netuid
        request.uids = uids
        request.weights = weights
        request.versionKey = Int(clamping: versionKey)
        request.wallet = target.wallet
        request.hotkey = target.hotkey
        request.network = target.network
        request.walletPath = target.walletPath
        let answer = try await run(request)
        guard answer.ok else { throw WeightsBridgeError.failed(answer.error ?? "unknown error") }
        return answer.result ?? ""
    }

    /// The SDK's own u16 conversion of several vectors in one call, for cross-checks.
    package func convert(_ vectors: [(uids: [UInt16], weights: [Double])]) async throws -> [(uids: [UInt16], weights: [UInt16])] {
        var request = BridgeRequest(op: "convert")
        request.vectors = vectors.map { BridgeRequest.Vector(uids: $0.uids, weights: $0.weights) }
        let answer = try await run(request)
        guard answer.ok, let results = answer.results else { throw WeightsBridgeError.failed(answer.error ?? "malformed convert answer") }
        return results.map { ($0.uids, $0.weights) }
    }

    /// Largest answer read from the bridge (one JSON object) and largest error output kept.
    static let outputLimit = 16 << 20
    static let errorLimit = 64 << 10

    /// One bridge process: the request on stdin, the answer on stdout, stderr captured for the
    /// error message. A bridge still running after ``timeout`` is killed and the call fails.
    func run(_ request: BridgeRequest) async throws -> BridgeAnswer {
        let input = try JSONEncoder().encode(request)
        let executable: Executable = python.contains("/") ? .path(FilePath(python)) : .name(python)
        let environment = Environment.inherit.updating(
            Dictionary(uniqueKeysWithValues: self.environment.map { (Environment.Key(stringLiteral: $0.key), String?.some($0.value)) }))
        let script = self.script, timeout = self.timeout
        let result = try await withThrowingTaskGroup(of: ExecutionResult<Void, BytesOutput, StringOutput<UTF8>>?.self) { group in
            group.addTask {
                do {
                    return try await Subprocess.run(executable, arguments: [script], environment: environment, input: .array(Array(input)),
                                                    output: .bytes(limit: Self.outputLimit), error: .string(limit: Self.errorLimit))
                } catch {
                    throw WeightsBridgeError.launch("\(python) \(script): \(error)")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            // Cancelling the run kills the child (swift-subprocess's teardown ends with SIGKILL).
            guard let first = try await group.next(), let finished = first else {
                throw WeightsBridgeError.failed("no answer within \(timeout); the bridge was stopped")
            }
            return finished
        }
        guard let answer = try? JSONDecoder().decode(BridgeAnswer.self, from: Data(result.standardOutput)) else {
            let stderr = result.standardError.suffix(2000)
            throw WeightsBridgeError.failed("bridge printed no JSON answer (exit \(result.terminationStatus); is \(script) the Organic weights bridge?)"
                + (stderr.isEmpty ? "" : ": \(stderr)"))
        }
        return answer
    }
}

/// What the node sends `weights_bridge.py` (see its docstring); fields unused by an op are left out.
struct BridgeRequest: Encodable, Sendable {
    struct Vector: Encodable, Sendable {
        var uids: [UInt16]
        var weights: [Double]
    }

    var op: String
    var netuid: UInt16?
    var uids: [UInt16]?
    var weights: [UInt16]?
    var versionKey: Int?
    var wallet: String?
    var hotkey: String?
    var network: String?
    var walletPath: String?
    var vectors: [Vector]?

    enum CodingKeys: String, CodingKey {
        case op, netuid, uids, weights, wallet, hotkey, network, vectors
        case versionKey = "version_key", walletPath = "wallet_path"
    }
}

/// The bridge's answer: `ok`, and the op's result or an `error`.
struct BridgeAnswer: Decodable, Sendable {
    struct Vector: Decodable, Sendable {
        var uids: [UInt16]
        var weights: [UInt16]
    }

    var ok: Bool
    var error: String?
    var sdk: String?
    var result: String?
    var results: [Vector]?
}

package enum WeightsBridgeError: Error, Equatable, Sendable, CustomStringConvertible {
    case launch(String)
    case failed(String)

    package var description: String {
        switch self {
        case .launch(let why): "cannot start the weights bridge: \(why)"
        case .failed(let why): "weights bridge: \(why)"
        }
    }
}
