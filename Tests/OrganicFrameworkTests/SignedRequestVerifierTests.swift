import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OrganicTestKit
import Testing
@testable import OrganicFramework
@testable import OrganicMinerKit

@Suite("Signed requests: verifier")
struct SignedRequestVerifierTests {
    let validator: Sr25519Keypair
    let miner: Sr25519Keypair
    let stranger: Sr25519Keypair
    let clock = ManualNodeClock()

    init() throws {
        validator = try Sr25519Keypair.devAccount("Alice")
        miner = try Sr25519Keypair.devAccount("Bob")
        stranger = try Sr25519Keypair.devAccount("Charlie")
    }
    let body = Array("{\"prompt\":\"a cat\"}".utf8)
    let path = "/v1/text-to-image?x=1"

    func verifier(permit: Bool = true, stake: Double = 1000, minimumStake: Double = 0, capacity: Int = 100) -> SignedRequestVerifier {
        let directory = SenderDirectory(source: StaticMetagraphSource(metagraph: Metagraph(neurons: [])), logger: Logger(label: "test"))
        directory.install(Metagraph(neurons: [
            Neuron(uid: 3, hotkey: validator.ss58Address, url: nil, stake: stake, validatorPermit: permit),
            Neuron(uid: 4, hotkey: miner.ss58Address, url: "http://127.0.0.1:1"),
        ]))
        var policy = SignedRequestVerifier.Policy(selfHotkey: miner.ss58Address)
        policy.minimumStake = minimumStake
        policy.replayCacheCapacity = capacity
        return SignedRequestVerifier(policy: policy, directory: directory, clock: clock)
    }

    func fields(_ headers: [(name: String, value: String)]) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers { if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) } }
        return fields
    }

    func btauth(_ signer: Sr25519Keypair? = nil, receiver: String? = nil, body: [UInt8]? = nil, offset: Duration = .zero) -> HTTPFields {
        let signer = signer ?? validator, receiver = receiver ?? miner.ss58Address
        let nonce = UInt64((clock.now().timeIntervalSince1970 + offset.seconds) * 1e9)
        return fields(BTAuthMessage.signedHeaders(keypair: signer, method: "POST", pathAndQuery: path, body: body ?? self.body,
                                                  nonceNanoseconds: nonce, receiverSS58: receiver))
    }

    func code(_ body: () throws -> SignedRequestVerifier.Sender) -> (Int, String)? {
        do { _ = try body(); return nil } catch let error as APIError { return (Int(error.status.code), error.code) } catch {
            return (0, "\(error)")
        }
    }

    @Test func acceptsSignedRequestFromPermittedValidator() throws {
        let sender = try verifier().verify(method: "POST", pathAndQuery: path, headers: btauth(), body: body)
        #expect(sender == .init(hotkey: validator.ss58Address, uid: 3, standard: .btauth))
    }

    @Test func acceptsSignerOutputOfTheNode() throws {
        let signer = BTAuthRequestSigner(keypair: validator, clock: clock)
        let v = verifier()
        for _ in 0..<3 {  // consecutive nonces from one signer never collide
            let headers = fields(signer.headers(method: "POST", pathAndQuery: path, body: body, receiverHotkey: miner.ss58Address))
            #expect(try v.verify(method: "POST", pathAndQuery: path, headers: headers, body: body).standard == .btauth)
        }
        let epistula = EpistulaRequestSigner(keypair: validator, clock: clock)
        let headers = fields(epistula.headers(method: "POST", pathAndQuery: path, body: body, receiverHotkey: miner.ss58Address))
        #expect(try v.verify(method: "POST", pathAndQuery: path, headers: headers, body: body).standard == .epistula)
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: headers, body: body) }! == (401, "auth_replayed"))
    }

    @Test func eachFailureHasItsOwnCode() throws {
        let v = verifier()
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: [:], body: body) }! == (401, "auth_missing"))
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(receiver: stranger.ss58Address), body: body) }! == (401, "auth_wrong_receiver"))
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(offset: .seconds(-11)), body: body) }! == (401, "auth_stale"))
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(offset: .seconds(3)), body: body) }! == (401, "auth_from_future"))
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(), body: body + [0x20]) }! == (401, "auth_bad_signature"))
        #expect(code { try v.verify(method: "POST", pathAndQuery: "/v1/other", headers: btauth(), body: body) }! == (401, "auth_bad_signature"))
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(stranger), body: body) }! == (403, "auth_unknown_sender"))
        var wrongVersion = btauth()
        wrongVersion[HTTPField.Name("X-Bittensor-Version")!] = "2"
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: wrongVersion, body: body) }! == (401, "auth_unsupported_version"))
        var badNonce = btauth()
        badNonce[HTTPField.Name("X-Bittensor-Nonce")!] = "soon"
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: badNonce, body: body) }! == (401, "auth_malformed"))
        #expect(code { try verifier(permit: false).verify(method: "POST", pathAndQuery: path, headers: btauth(), body: body) }! == (403, "auth_no_validator_permit"))
        #expect(code { try verifier(stake: 5, minimumStake: 10).verify(method: "POST", pathAndQuery: path, headers: btauth(), body: body) }! == (403, "auth_insufficient_stake"))
    }

    @Test func replayIsRefusedUntilTheWindowPasses() throws {
        let v = verifier()
        let headers = btauth()
        _ = try v.verify(method: "POST", pathAndQuery: path, headers: headers, body: body)
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: headers, body: body) }! == (401, "auth_replayed"))
        clock.advance(by: .seconds(11))
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: headers, body: body) }! == (401, "auth_stale"))
        #expect(v.replays.count <= 1)
    }

    @Test func replayCacheIsBoundedAndForgetsExpiredEntries() throws {
        let v = verifier(capacity: 2)
        _ = try v.verify(method: "POST", pathAndQuery: path, headers: btauth(offset: .milliseconds(1)), body: body)
        _ = try v.verify(method: "POST", pathAndQuery: path, headers: btauth(offset: .milliseconds(2)), body: body)
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(offset: .milliseconds(3)), body: body) }! == (503, "auth_replay_cache_full"))
        clock.advance(by: .seconds(13))
        _ = try v.verify(method: "POST", pathAndQuery: path, headers: btauth(), body: body)
        #expect(v.replays.count == 1)
    }

    @Test func unsignedFailuresDoNotTouchTheReplayCache() throws {
        let v = verifier()
        _ = code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(), body: body + [1]) }
        _ = code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(stranger), body: body) }
        #expect(v.replays.count == 0)
    }

    @Test func epistulaWindowIsEightSeconds() throws {
        let v = verifier()
        func headers(_ offsetMs: Int64) -> HTTPFields {
            let ms = UInt64(Int64(clock.now().timeIntervalSince1970 * 1000) + offsetMs)
            return fields(Epistula.signedHeaders(keypair: validator, body: body, uuid: Epistula.randomUUID(),
                                                 timestampMilliseconds: ms, receiverSS58: miner.ss58Address))
        }
        #expect(try v.verify(method: "POST", pathAndQuery: path, headers: headers(-7_000), body: body).uid == 3)
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: headers(-9_000), body: body) }! == (401, "auth_stale"))
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: headers(9_000), body: body) }! == (401, "auth_from_future"))
    }

    @Test func metagraphNotLoadedYetIsRetryable() throws {
        let directory = SenderDirectory(source: StaticMetagraphSource(metagraph: Metagraph(neurons: [])), logger: Logger(label: "test"))
        let v = SignedRequestVerifier(policy: .init(selfHotkey: miner.ss58Address), directory: directory, clock: clock)
        #expect(code { try v.verify(method: "POST", pathAndQuery: path, headers: btauth(), body: body) }! == (503, "auth_metagraph_unavailable"))
    }
}

/// The verifier accepts headers produced by the SDK's own `bittensor.http_auth.sign`.
@Suite("Signed requests: SDK interop")
struct SignedRequestSDKInteropTests {
    static let python: String? = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap {
        FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    }

    @Test(.enabled(if: python != nil)) func acceptsHeadersSignedByBittensor() async throws {
        let seed = Array(repeating: UInt8(0x42), count: 32)
        let validator = try Sr25519Keypair(miniSecretSeed: seed), miner = try Sr25519Keypair.devAccount("Bob")
        let body = Array("{\"prompt\":\"hi\"}".utf8), path = "/v1/text-to-image?q=1"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/btauth_sign.py").path
        let data = try await ChildProcess.run(try #require(Self.python), [script, Hex.encode(seed), "POST", path, Hex.encode(body), miner.ss58Address]).output
        let headers = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        let directory = SenderDirectory.fixed(validators: [validator.ss58Address], logger: Logger(label: "test"))
        // Verified as of one second after signing: this checks the format, not how long a busy
        // test run took to start the verifier (freshness has its own tests).
        let nonce = try #require(headers.first { $0.key.lowercased() == "x-bittensor-nonce" }.flatMap { Double($0.value) })
        let clock = ManualNodeClock(start: Date(timeIntervalSince1970: nonce / 1e9 + 1))
        let verifier = SignedRequestVerifier(policy: .init(selfHotkey: miner.ss58Address), directory: directory, clock: clock)
        let pairs = headers.map { (name: $0.key, value: $0.value) }
        #expect(try verifier.verify(method: "POST", pathAndQuery: path, headers: pairs, body: body).hotkey == validator.ss58Address)
        #expect(throws: APIError.self) { try verifier.verify(method: "POST", pathAndQuery: path, headers: pairs, body: body) }  // replay
    }
}
