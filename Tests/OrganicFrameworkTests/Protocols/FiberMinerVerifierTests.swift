import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OrganicTestKit
import ServiceLifecycle
import Testing
@testable import OrganicFramework
@testable import OrganicMinerKit

/// The miner side: FiberMinerVerifier in process, behind a loopback server for our client, and
/// against fiber's own validator code.
@Suite("fiber miner side")
struct FiberMinerVerifierTests {
    let validator: Sr25519Keypair
    let poor: Sr25519Keypair
    let miner: Sr25519Keypair
    let clock = ManualNodeClock(start: Date())

    init() throws {
        validator = try Sr25519Keypair.devAccount("Alice")
        poor = try Sr25519Keypair.devAccount("Charlie")
        miner = try Sr25519Keypair.devAccount("Bob")
    }

    static let quiet = Logger(label: "fiber-miner", factory: { _ in SwiftLogNoOpLogHandler() })

    func verifier(_ version: FiberVersion, validator: Sr25519Keypair? = nil, clock: (any NodeClock)? = nil) throws -> FiberMinerVerifier {
        let directory = SenderDirectory(source: StaticMetagraphSource(metagraph: Metagraph(neurons: [])), logger: Self.quiet)
        directory.install(Metagraph(neurons: [
            Neuron(uid: 0, hotkey: (validator ?? self.validator).ss58Address, url: nil, stake: 2000, validatorPermit: true),
            Neuron(uid: 1, hotkey: poor.ss58Address, url: nil, stake: 10, validatorPermit: true),
            Neuron(uid: 2, hotkey: try Sr25519Keypair.devAccount("Ferdie").ss58Address, url: nil, stake: 5000),
        ]))
        return try FiberMinerVerifier(policy: .init(selfHotkey: miner.ss58Address, version: version), directory: directory,
                                      clock: clock ?? self.clock)
    }

    func fields(_ headers: [(name: String, value: String)]) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers { if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) } }
        return fields
    }

    func headers(_ version: FiberVersion, signer: Sr25519Keypair? = nil, receiver: String? = nil, uuid: String? = nil,
                 body: [UInt8] = [], offset: TimeInterval = 0, nonce: String? = nil) -> HTTPFields {
        let nonce = nonce ?? FiberWire.nonce(nowNanoseconds: FiberWire.nanoseconds(clock.now().addingTimeInterval(offset)))
        return fields(FiberWire.signedHeaders(version: version, keypair: signer ?? validator, minerHotkey: receiver ?? miner.ss58Address,
                                              nonce: nonce, symmetricKeyUUID: uuid, body: body, contentType: "application/json"))
    }

    func refusal<T>(_ body: () throws -> T) -> (Int, String)? {
        do { _ = try body(); return nil } catch let error as APIError { return (Int(error.status.code), error.code) } catch {
            return (0, "\(error)")
        }
    }

    /// Exchanges a key in process, as a validator would over HTTP.
    func exchange(_ verifier: FiberMinerVerifier, signer: Sr25519Keypair? = nil) throws -> FiberSession {
        let answer = try JSONDecoder().decode(FiberHandshake.PublicKeyResponse.self, from: Data(verifier.publicKeyAnswer()))
        let fernet = Fernet.generate()
        let uuid = FiberHandshake.newKeyUUID()
        let body = FiberHandshake.exchangeBody(encryptedKey: try FiberHandshake.encryptKey(fernet.key, toPEM: answer.publicKey))
        _ = try verifier.exchange(headers: headers(.v1, signer: signer, uuid: uuid), body: body)
        return FiberSession(fernet: fernet, uuid: uuid, established: clock.now())
    }

    @Test("2.x: fiber's checks in fiber's order, plus the receiver; a nonce is spent only by a valid request")
    func plainChecks() throws {
        let v = try verifier(.v2)
        let body = Array(#"{"a": 1}"#.utf8)
        let signed = headers(.v2, body: body)
        let opened = try v.open(headers: signed, body: body)
        #expect(opened.sender == .init(hotkey: validator.ss58Address, uid: 0))
        #expect(opened.payload == body)
        #expect(refusal { try v.open(headers: signed, body: body) }! == (401, "fiber_replayed"))
        #expect(refusal { try v.open(headers: headers(.v2, body: body, offset: -121), body: body) }! == (401, "fiber_bad_nonce"))
        #expect(refusal { try v.open(headers: headers(.v2, body: body, offset: 121), body: body) }! == (401, "fiber_bad_nonce"))
        #expect(try v.open(headers: headers(.v2, body: body, offset: -119), body: body).payload == body)
        #expect(refusal { try v.open(headers: headers(.v2, body: body, nonce: "soon_abc"), body: body) }! == (401, "fiber_bad_nonce"))
        #expect(refusal { try v.open(headers: headers(.v2, receiver: poor.ss58Address, body: body), body: body) }! == (401, "fiber_wrong_receiver"))
        let forged = headers(.v2, body: body)
        #expect(refusal { try v.open(headers: forged, body: body + [0x20]) }! == (401, "fiber_bad_signature"))
        #expect(try v.open(headers: forged, body: body).payload == body, "the forged attempt did not spend the nonce")
        let stranger = try Sr25519Keypair.devAccount("Dave")
        #expect(refusal { try v.open(headers: headers(.v2, signer: stranger, body: body), body: body) }! == (403, "fiber_unknown_sender"))
        #expect(refusal { try v.open(headers: headers(.v2, signer: poor, body: body), body: body) }! == (403, "fiber_insufficient_stake"))
        var missing = headers(.v2, body: body)
        missing[HTTPField.Name("nonce")!] = nil
        #expect(refusal { try v.open(headers: missing, body: body) }! == (422, "fiber_missing_header"))
    }

    @Test("1.x: key exchange, decryption, unknown and expired keys, another key, a garbled exchange")
    func encryptedChecks() throws {
        let v = try verifier(.v1)
        let pem = try JSONDecoder().decode(FiberHandshake.PublicKeyResponse.self, from: Data(v.publicKeyAnswer())).publicKey
        #expect(pem.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        let session = try exchange(v)
        let payload = Array(#"{"text": "hi"}"#.utf8)
        let token = Array(session.fernet.encrypt(payload).utf8)
        #expect(try v.open(headers: headers(.v1, uuid: session.uuid), body: token).payload == payload)

        let unknown = refusal { try v.open(headers: headers(.v1, uuid: FiberHandshake.newKeyUUID()), body: token) }
        #expect(unknown! == (400, "fiber_unknown_key"))
        #expect(refusal { try v.open(headers: headers(.v1, uuid: session.uuid), body: Array(Fernet.generate().encrypt(payload).utf8)) }!
            == (400, "fiber_bad_token"))
        // A key is filed under the validator that exchanged it: another one cannot use its uuid.
        let ferdie = try Sr25519Keypair.devAccount("Ferdie")
        #expect(refusal { try v.open(headers: headers(.v1, signer: ferdie, uuid: session.uuid), body: token) }! == (400, "fiber_unknown_key"))
        let own = try exchange(v, signer: ferdie)
        #expect(try v.open(headers: headers(.v1, signer: ferdie, uuid: own.uuid), body: Array(own.fernet.encrypt(payload).utf8)).payload == payload)

        #expect(refusal { try v.exchange(headers: headers(.v1, uuid: "u"), body: Array(#"{"encrypted_symmetric_key": "AAAA"}"#.utf8)) }!
            == (401, "fiber_bad_key_exchange"))
        #expect(refusal { try v.exchange(headers: headers(.v1, signer: poor, uuid: "u"), body: []) }! == (403, "fiber_insufficient_stake"))

        clock.advance(by: .seconds(5 * 3600 + 1))
        #expect(refusal { try v.open(headers: headers(.v1, uuid: session.uuid), body: Array(session.fernet.encrypt(payload).utf8)) }!
            == (400, "fiber_unknown_key"), "fiber's 5-hour key lifetime")
    }

    /// A loopback miner serving fiber's routes through `verifier` and the echo endpoint.
    static func withMiner<T: Sendable>(_ verifier: FiberMinerVerifier, _ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.get(RouterPath(FiberWire.publicKeyPath)) { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: verifier.publicKeyAnswer())))
        }
        router.post(RouterPath(FiberWire.exchangePath)) { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 16)
            _ = try verifier.exchange(headers: request.headers, body: Array(bytes.readableBytesView))
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"status":"Symmetric key exchanged successfully"}"#)))
        }
        router.post("/echo") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let (sender, payload) = try verifier.open(headers: request.headers, body: Array(bytes.readableBytesView))
            let object = try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] ?? [:]
            let numbers = object["numbers"] as? [Int] ?? []
            let answer: [String: Any] = ["echo": object["text"] ?? NSNull(), "sum": numbers.reduce(0, +), "validator": sender.hotkey,
                                         "nonce": object["nonce"] ?? NSNull()]
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: answer))))
        }
        return try await withLoopbackServer(router, body)
    }

    @Test("our client against our miner side over HTTP, both versions; a forgotten key is renewed", arguments: FiberVersion.allCases)
    func clientAgainstVerifier(_ version: FiberVersion) async throws {
        let v = try verifier(version, clock: SystemNodeClock())
        let miner = self.miner, validator = self.validator
        try await Self.withMiner(v) { url in
            let client = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(version))
            let target = FiberMiner(baseURL: url, hotkey: miner.ss58Address)
            let answer = try await FiberExchange.read(client.execute(FiberExchange.body, to: target, path: "/echo", timeout: FiberExchange.timeout))
            #expect(answer.status == 200)
            #expect(answer.json["echo"] as? String == "héllo fiber")
            #expect(answer.json["validator"] as? String == validator.ss58Address)
            if version == .v1 {
                // A client whose cached key the miner never saw: renewed once, then served.
                let session = try await client.session(for: target)
                let stale = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v1))
                _ = try await stale.session(for: target)
                #expect(session.uuid != (try await stale.session(for: target)).uuid)
                #expect(try await FiberExchange.read(stale.execute(FiberExchange.body, to: target, path: "/echo", timeout: FiberExchange.timeout)).status == 200)
            }
            // Addressed to another hotkey: refused here (fiber itself would serve it).
            let elsewhere = FiberMiner(baseURL: url, hotkey: try Sr25519Keypair.devAccount("Eve").ss58Address)
            if version == .v1 {
                await #expect(throws: FiberError.self) {
                    try await client.execute(FiberExchange.body, to: elsewhere, path: "/echo", timeout: FiberExchange.timeout)
                }
            } else {
                #expect(try await FiberExchange.read(client.execute(FiberExchange.body, to: elsewhere, path: "/echo", timeout: FiberExchange.timeout)).status == 401)
            }
        }
    }

    @Test("fiber 1.0's own validator code (handshake, encrypted posts) is served by our miner side",
          .enabled(if: FiberMinerPeer.python(.v1) != nil, "ORGANIC_PYTHON_FIBER1 is not set (scripts/test.sh installs fiber 1.0.0)"))
    func fiber1ValidatorAgainstVerifier() async throws {
        try await fiberValidatorAgainstVerifier(.v1)
    }

    @Test("fiber 2.1's own validator code (signed plain posts) is served by our miner side",
          .enabled(if: FiberMinerPeer.python(.v2) != nil, "ORGANIC_PYTHON_FIBER2 is not set (scripts/test.sh installs fiber 2.1.0)"))
    func fiber2ValidatorAgainstVerifier() async throws {
        try await fiberValidatorAgainstVerifier(.v2)
    }

    /// fiber_validator.py sends the same payload twice (1.x: after one handshake) as Alice.
    func fiberValidatorAgainstVerifier(_ version: FiberVersion) async throws {
        let python = try #require(FiberMinerPeer.python(version))
        let v = try verifier(version, clock: SystemNodeClock())
        let miner = self.miner
        let script = URL(fileURLWithPath: FiberMinerPeer.script).deletingLastPathComponent().appendingPathComponent("fiber_validator.py").path
        // Alice's seed: the validator registered with the verifier.
        let aliceSeed = "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a"
        #expect(try Sr25519Keypair(miniSecretSeedHex: aliceSeed).ss58Address == validator.ss58Address)
        try await Self.withMiner(v) { url in
            let run = try await ChildProcess.run(python, [script, url, miner.ss58Address, aliceSeed, "/echo"],
                                                 stdin: Data(FiberExchange.body))
            try #require(run.status == 0, "fiber_validator.py failed: \(run.errorText)")
            let output = try #require(try JSONSerialization.jsonObject(with: run.output) as? [String: Any])
            let answers = try #require(output["answers"] as? [[String: Any]])
            #expect(answers.map { $0["status"] as? Int } == [200, 200])
            let first = try JSONSerialization.jsonObject(with: Data(((answers[0]["body"] as? String) ?? "").utf8)) as? [String: Any]
            #expect(first?["echo"] as? String == "héllo fiber")
            #expect(first?["sum"] as? Int == 6)
            #expect((first?["nonce"] is String) == (version == .v1), "1.x's validator adds a payload nonce, 2.x's does not")
        }
    }
}
