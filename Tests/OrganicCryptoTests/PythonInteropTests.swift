import Foundation
import OrganicTestKit
import Testing
@testable import OrganicCrypto

/// Live cross-checks against the official Python implementations. Enabled when
/// `ORGANIC_PYTHON` points at a venv python with py-sr25519-bindings + scalecodec
/// (+ bittensor 11 for sp-core / btauth); the literal fixtures cover the rest.
@Suite("Python interop", .enabled(if: PythonPeer.python != nil))
struct PythonInteropTests {
    @Test func freshPythonFixturesAgree() async throws {
        let out = try await PythonPeer.run(["fixtures", "40"])
        let json = try #require(try JSONSerialization.jsonObject(with: out) as? [String: Any])
        let sr = try #require(json["sr25519"] as? [[String: String]])
        #expect(sr.count == 40)
        for f in sr {
            let kp = try Sr25519Keypair(miniSecretSeed: Hex.decode(PythonPeer.field(f, "seed")))
            #expect(Hex.encode(kp.publicKey) == f["pubkey"])
            #expect(kp.ss58Address == f["ss58"])
            let msg = try Hex.decode(PythonPeer.field(f, "message"))
            let sig = try Hex.decode(PythonPeer.field(f, "signature"))
            #expect(Sr25519.verify(signature: sig, message: msg, publicKey: kp.publicKey))
        }
        if let alice = json["alice"] as? [String: String] {
            #expect(SS58.encode(publicKey: try Hex.decode(PythonPeer.field(alice, "pubkey"))) == alice["ss58"])
        }
        for case let f as [String: Any] in (json["btauth"] as? [Any]) ?? [] {
            let scheme = try #require(BTAuth.Scheme(headerValue: PythonPeer.field(f, "scheme")))
            let nonce = try #require((f["nonce_ns"] as? NSNumber)?.uint64Value)
            let payload = BTAuthMessage.canonical(
                scheme: scheme, method: try PythonPeer.field(f, "method"), pathAndQuery: try PythonPeer.field(f, "path"),
                body: try Hex.decode(PythonPeer.field(f, "body")), nonceNanoseconds: nonce,
                senderSS58: try PythonPeer.field(f, "sender_ss58"), receiverSS58: f["receiver_ss58"] as? String)
            #expect(Hex.encode(payload) == f["payload"] as? String)
        }
    }

    @Test func swiftSignaturesVerifyInPython() async throws {
        var items: [[String: String]] = []
        var expected: [Bool] = []
        for i in 0..<30 {
            let kp = try Sr25519Keypair(miniSecretSeed: Sodium.randomBytes(32))
            let msg = Sodium.randomBytes(i * 37)
            let sig = kp.sign(msg)
            items.append(["scheme": "sr25519", "pubkey": Hex.encode(kp.publicKey), "message": Hex.encode(msg), "signature": Hex.encode(sig)])
            expected.append(true)
            // Tampered copy must be rejected by Python too.
            items.append(["scheme": "sr25519", "pubkey": Hex.encode(kp.publicKey), "message": Hex.encode(msg + [1]), "signature": Hex.encode(sig)])
            expected.append(false)
            // A signature whose nonce was made before the message (the node's request signers).
            let made = kp.sign(msg, nonce: kp.makeSigningNonce(epoch: 7, sequence: UInt64(i), randomness: Sodium.randomBytes(32)))
            items.append(["scheme": "sr25519", "pubkey": Hex.encode(kp.publicKey), "message": Hex.encode(msg), "signature": Hex.encode(made)])
            expected.append(true)
        }
        let ed = try Ed25519Signer.Keypair(seed: Sodium.randomBytes(32))
        items.append(["scheme": "ed25519", "pubkey": Hex.encode(ed.publicKey), "message": "00ff", "signature": Hex.encode(ed.sign([0, 0xff]))])
        expected.append(true)
        let input = try JSONSerialization.data(withJSONObject: items)
        let out = try await PythonPeer.run(["verify"], stdin: input)
        let results = try #require(try JSONSerialization.jsonObject(with: out) as? [Bool])
        #expect(results == expected)
    }

    /// End to end: headers signed in Swift pass bittensor's own `http_auth.verify`,
    /// and a tampered body is rejected there with BadSignature.
    @Test func swiftBTAuthHeadersPassBittensorVerify() async throws {
        let sr = try Sr25519Keypair(miniSecretSeed: Sodium.randomBytes(32))
        let ed = try Ed25519Signer.Keypair(seed: Sodium.randomBytes(32))
        let receiver = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
        let body = Array("{\"prompt\":\"hi\"}".utf8)
        let nonce: UInt64 = 1_764_000_000_123_456_789
        func item(_ headers: [(name: String, value: String)], body: [UInt8]) -> [String: Any] {
            ["headers": Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) }),
             "body": Hex.encode(body), "method": "post", "path": "/v1/score?x=1", "self_hotkey": receiver]
        }
        let srHeaders = BTAuthMessage.signedHeaders(keypair: sr, method: "post", pathAndQuery: "/v1/score?x=1",
                                                    body: body, nonceNanoseconds: nonce, receiverSS58: receiver)
        let edHeaders = BTAuthMessage.signedHeaders(keypair: ed, method: "post", pathAndQuery: "/v1/score?x=1",
                                                    body: body, nonceNanoseconds: nonce, receiverSS58: receiver)
        // As the node's request signer signs: with a nonce made before the message.
        let madeAhead = sr.makeSigningNonce(epoch: 1, sequence: 0, randomness: Sodium.randomBytes(32))
        let aheadHeaders = BTAuthMessage.signedHeaders(senderSS58: sr.ss58Address, sign: { sr.sign($0, nonce: madeAhead) }, method: "post",
                                                       pathAndQuery: "/v1/score?x=1", body: body, nonceNanoseconds: nonce, receiverSS58: receiver)
        let items = [item(srHeaders, body: body), item(edHeaders, body: body), item(srHeaders, body: body + [0x20]),
                     item(aheadHeaders, body: body), item(aheadHeaders, body: body + [0x20])]
        let out = try await PythonPeer.run(["btauth-verify"], stdin: try JSONSerialization.data(withJSONObject: items))
        let results = try #require(try JSONSerialization.jsonObject(with: out) as? [String])
        #expect(results == ["ok", "ok", "BadSignature", "ok", "BadSignature"])
    }
}

enum PythonPeer {
    static let python: String? = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap {
        FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    }

    static let script: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/make_sr25519_fixtures.py").path

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func field(_ object: [String: Any], _ key: String) throws -> String {
        guard let v = object[key] as? String else { throw Failed(description: "fixture field \(key) missing") }
        return v
    }

    static func run(_ args: [String], stdin: Data? = nil) async throws -> Data {
        try await run(scriptPath: script, args, stdin: stdin)
    }

    /// Runs another script from Tests/Fixtures.
    static func run(script name: String, _ args: [String], stdin: Data? = nil) async throws -> Data {
        let path = URL(fileURLWithPath: script).deletingLastPathComponent().appendingPathComponent(name).path
        return try await run(scriptPath: path, args, stdin: stdin)
    }

    static func run(scriptPath: String, _ args: [String], stdin: Data? = nil) async throws -> Data {
        guard let python else { throw Failed(description: "ORGANIC_PYTHON not set") }
        let result = try await ChildProcess.run(python, [scriptPath] + args, stdin: stdin)
        guard result.status == 0 else { throw Failed(description: "python exited \(result.status): \(result.errorText)") }
        return result.output
    }
}
