import Foundation

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

    package init(python: String = "python3", script: String = "Tools/weights_bridge.py", environment: [String: String] = [:]) {
        self.python = python
        self.script = script
        self.environment = environment
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
            let answer = try await run(["op": "check"])
            if answer["ok"] as? Bool == true { return SDKStatus(available: true, detail: answer["sdk"] as? String ?? "bittensor") }
            return SDKStatus(available: false, detail: answer["error"] as? String ?? "unknown error")
        } catch {
            return SDKStatus(available: false, detail: "\(error)")
        }
    }

    /// Sets `weights` (u16, parallel to `uids`) on `netuid`; throws with the SDK's message on failure.
    @discardableResult
    package func set(uids: [UInt16], weights: [UInt16], versionKey: UInt64, netuid: UInt16, target: Target) async throws -> String {
        guard uids.count == weights.count else { throw WeightsBridgeError.failed("uids and weights differ in length") }
        var request: [String: Any] = [
            "op": "set_weights", "netuid": Int(netuid), "uids": uids.map(Int.init), "weights": weights.map(Int.init),
            "version_key": Int(clamping: versionKey), "wallet": target.wallet, "hotkey": target.hotkey, "network": target.network,
        ]
        if let path = target.walletPath { request["wallet_path"] = path }
        let answer = try await run(request)
        guard answer["ok"] as? Bool == true else { throw WeightsBridgeError.failed(answer["error"] as? String ?? "unknown error") }
        return answer["result"] as? String ?? ""
    }

    /// The SDK's own u16 conversion of several vectors in one call, for cross-checks.
    package func convert(_ vectors: [(uids: [UInt16], weights: [Double])]) async throws -> [(uids: [UInt16], weights: [UInt16])] {
        let request: [String: Any] = ["op": "convert", "vectors": vectors.map { ["uids": $0.uids.map(Int.init), "weights": $0.weights] }]
        let answer = try await run(request)
        guard answer["ok"] as? Bool == true, let results = answer["results"] as? [[String: Any]] else {
            throw WeightsBridgeError.failed(answer["error"] as? String ?? "malformed convert answer")
        }
        return results.map { result in
            let u = result["uids"] as? [Int] ?? [], w = result["weights"] as? [Int] ?? []
            return (u.compactMap { UInt16(exactly: $0) }, w.compactMap { UInt16(exactly: $0) })
        }
    }

    /// One bridge process: write the request, read the answer, wait for exit. Blocking pipe
    /// reads happen on a Dispatch thread, not the cooperative pool.
    func run(_ request: [String: Any]) async throws -> [String: Any] {
        let input = try JSONSerialization.data(withJSONObject: request)
        let python = self.python, script = self.script, extra = self.environment
        let output: Data = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python.contains("/") ? python : "/usr/bin/env")
                process.arguments = python.contains("/") ? [script] : [python, script]
                process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
                let stdin = Pipe(), stdout = Pipe()
                process.standardInput = stdin
                process.standardOutput = stdout
                process.standardError = FileHandle.standardError
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: WeightsBridgeError.launch("\(python) \(script): \(error.localizedDescription)"))
                    return
                }
                stdin.fileHandleForWriting.write(input)
                try? stdin.fileHandleForWriting.close()
                let data = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        guard let answer = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw WeightsBridgeError.failed("bridge printed no JSON answer (is \(script) the Organic weights bridge?)")
        }
        return answer
    }
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
