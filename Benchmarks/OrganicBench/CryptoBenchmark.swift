import ArgumentParser
import Foundation
import Logging
import OrganicFramework
import OrganicMinerKit

/// `organic-bench crypto`: sr25519 sign/verify per second in Swift next to
/// py-sr25519-bindings (Rust schnorrkel) in the same run, and the per-request cost of
/// signing (node) plus verifying (miner) a btauth/1 or Epistula request.
struct CryptoBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto", abstract: "sr25519 throughput vs py-sr25519-bindings, and signed-request overhead.")

    @Option(help: "Signatures (and verifications) per measurement.") var iterations = 3000
    @Option(help: "Python with py-sr25519-bindings (default $ORGANIC_PYTHON, else .venv/bin/python).") var python: String?
    @Option(help: "Request body size in bytes for the per-request overhead.") var bodyBytes = 1024

    func run() async throws {
        let message = Array("btauth/1 benchmark message of typical length ".utf8).repeated(4)
        let keypair = try Sr25519Keypair(miniSecretSeed: Array(0..<32))
        var signature: [UInt8] = []
        let signRate = measure(iterations) { signature = keypair.sign(message) }
        let verifyRate = measure(iterations) { precondition(Sr25519.verify(signature: signature, message: message, publicKey: keypair.publicKey)) }
        print("sr25519 (Swift, OrganicCrypto): sign \(Int(signRate))/s, verify \(Int(verifyRate))/s")
        if let rates = pythonRates(message: message) {
            print("sr25519 (py-sr25519-bindings):  sign \(Int(rates.sign))/s, verify \(Int(rates.verify))/s")
            print(String(format: "Swift / Python: sign %.2fx, verify %.2fx", signRate / rates.sign, verifyRate / rates.verify))
        } else {
            print("py-sr25519-bindings: not available (set --python or ORGANIC_PYTHON)")
        }
        try perRequest()
    }

    /// Node signs + miner verifies (signature, receiver, freshness, replay, metagraph) one request.
    func perRequest() throws {
        let validator = try Sr25519Keypair.devAccount("Alice"), miner = try Sr25519Keypair.devAccount("Bob")
        let body = Array(repeating: UInt8(ascii: "a"), count: bodyBytes)
        let path = "/v1/text-embeddings"
        for scheme in [RequestSigningScheme.btauth, .epistula] {
            guard let signer = NodeHotkey.signer(validator, scheme: scheme) else { continue }
            var policy = SignedRequestVerifier.Policy(selfHotkey: miner.ss58Address)
            policy.replayCacheCapacity = iterations * 3
            let verifier = SignedRequestVerifier(policy: policy, directory: .fixed(validators: [validator.ss58Address], logger: .init(label: "bench")))
            var headers: [(name: String, value: String)] = []
            let signRate = measure(iterations) {
                headers = signer.headers(method: "POST", pathAndQuery: path, body: body, receiverHotkey: miner.ss58Address)
            }
            // One fresh request per call, warm-up included (a reused nonce would be a replay).
            var batch: [[(name: String, value: String)]] = []
            for _ in 0..<(iterations + iterations / 20 + 1) { batch.append(signer.headers(method: "POST", pathAndQuery: path, body: body, receiverHotkey: miner.ss58Address)) }
            var index = 0
            let verifyRate = measure(iterations) {
                _ = try? verifier.verify(method: "POST", pathAndQuery: path, headers: batch[index], body: body)
                index += 1
            }
            _ = headers
            print(String(format: "%@ per request (%d-byte body): sign %.1f µs (node), verify %.1f µs (miner), total %.1f µs",
                         scheme.rawValue, bodyBytes, 1e6 / signRate, 1e6 / verifyRate, 1e6 / signRate + 1e6 / verifyRate))
        }
    }

    func measure(_ n: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        for _ in 0..<max(1, n / 20) { body() }  // warm-up
        let start = clock.now
        for _ in 0..<n { body() }
        return Double(n) / (clock.now - start).seconds
    }

    func pythonRates(message: [UInt8]) -> (sign: Double, verify: Double)? {
        let candidates = [python, ProcessInfo.processInfo.environment["ORGANIC_PYTHON"], ".venv/bin/python"].compactMap { $0 }
        guard let interpreter = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["Benchmarks/sr25519_python_bench.py", String(iterations), Hex.encode(message)]
        let out = Pipe()
        process.standardOutput = out
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Double],
              let sign = json["sign_per_sec"], let verify = json["verify_per_sec"] else { return nil }
        return (sign, verify)
    }
}

extension Array {
    func repeated(_ times: Int) -> [Element] { (0..<times).flatMap { _ in self } }
}
