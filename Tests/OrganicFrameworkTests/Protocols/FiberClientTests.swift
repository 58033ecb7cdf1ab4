import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
@testable import OrganicFramework

/// FiberClient against fiber's own miner app (1.0.0 and 2.1.0, from ../shared/peers), end to end.
enum FiberExchange {
    static let timeout: Duration = .seconds(30)
    /// Generous handshake time: a loaded 2-core machine runs several Python peers at once.
    static func configuration(_ version: FiberVersion) -> FiberClient.Configuration {
        var configuration = FiberClient.Configuration(version: version)
        configuration.handshakeTimeout = timeout
        return configuration
    }

    static let body = Array(#"{"text": "h\u00e9llo fiber", "numbers": [1, 2, 3]}"#.utf8)

    /// Status and JSON object of an answer.
    static func read(_ response: HTTPClientResponse) async throws -> (status: Int, json: [String: Any]) {
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }

    static func send(_ request: HTTPClientRequest) async throws -> (status: Int, json: [String: Any]) {
        try await read(HTTPClient.shared.execute(request, timeout: .seconds(30)))
    }

    static func detail(_ answer: (status: Int, json: [String: Any])) -> String {
        "\(answer.json["detail"] ?? "")"
    }

    static func events(_ response: HTTPClientResponse) async throws -> [String] {
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return String(buffer: bytes).components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }
    }

    static func post(_ url: String) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(30)).status.code)
    }
}

@Suite("fiber 1.0 against fiber's own miner",
       .enabled(if: FiberMinerPeer.python(.v1) != nil,
                "ORGANIC_PYTHON_FIBER1 is not set: scripts/test.sh installs fiber 1.0.0 from ../shared/peers/fiber-1.0.0.tar.gz into .venv-fiber1"))
struct Fiber1EndToEndTests {
    @Test("handshake, then decrypted answers whole and streamed; one handshake for concurrent requests; a forgotten key is renewed")
    func answers() async throws {
        let validator = try FiberMinerPeer.randomKeypair()
        try await FiberMinerPeer.with(.v1, validators: [.init(keypair: validator, stake: 2000)]) { peer in
            #expect(peer.fiberVersion == "1.0.0")
            let client = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v1))

            let answer = try await FiberExchange.read(client.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout))
            try #require(answer.status == 200, "\(answer.json)")
            #expect(answer.json["echo"] as? String == "héllo fiber")
            #expect(answer.json["sum"] as? Int == 6)
            #expect(answer.json["validator"] as? String == validator.ss58Address)
            // The `nonce` field fiber's validator adds to every payload arrived inside the token.
            let payloadNonce = try #require(answer.json["nonce"] as? String)
            #expect(payloadNonce.wholeMatch(of: /[0-9]{19}_[A-Za-z0-9]{10}/) != nil)
            #expect(client.handshakeCount == 1)

            let stream = try await client.execute(FiberExchange.body, to: peer.miner, path: "/stream",
                                                  accept: "text/event-stream", timeout: FiberExchange.timeout)
            #expect(stream.status == .ok)
            #expect(stream.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            #expect(try await FiberExchange.events(stream) == [#"data: {"n": 1}"#, #"data: {"n": 2}"#, #"data: {"n": 3}"#])
            #expect(client.handshakeCount == 1, "the key is reused")

            // The miner forgets every key (what its restart or the 5-hour expiry does): it answers
            // 400 "No symmetric key found…", and the client exchanges a new key and sends again.
            #expect(try await FiberExchange.post(peer.url + "/harness/forget-keys") == 200)
            let renewed = try await FiberExchange.read(client.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout))
            #expect(renewed.status == 200)
            #expect(client.handshakeCount == 2)

            // Concurrent first requests share one handshake.
            let fresh = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v1))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await FiberExchange.read(fresh.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout)).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 6))
            #expect(fresh.handshakeCount == 1)

            // Keys older than keyLifetime are renewed before use.
            var shortLived = FiberExchange.configuration(.v1)
            shortLived.keyLifetime = .zero
            let renewing = FiberClient(http: .shared, keypair: validator, configuration: shortLived)
            for _ in 0..<2 {
                #expect(try await FiberExchange.read(renewing.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout)).status == 200)
            }
            #expect(renewing.handshakeCount == 2)
        }
    }

    @Test("refused: replayed, stale and future nonces, a changed miner-hotkey, a wrong key, unknown and low-stake senders, 2.x requests")
    func refusals() async throws {
        let validator = try FiberMinerPeer.randomKeypair()
        let poor = try FiberMinerPeer.randomKeypair()
        try await FiberMinerPeer.with(.v1, validators: [.init(keypair: validator, stake: 2000), .init(keypair: poor, stake: 10)]) { peer in
            let client = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v1))
            let session = try await client.session(for: peer.miner)

            let request = client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: session)
            #expect(try await FiberExchange.send(request).status == 200)
            let replayed = try await FiberExchange.send(request)
            #expect(replayed.status == 401)
            #expect(FiberExchange.detail(replayed) == "Oi, that nonce is not valid!")

            for offset in [-121.0, 121.0] {
                let shifted = try await FiberExchange.send(client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: session,
                                                                          now: Date().addingTimeInterval(offset)))
                #expect(shifted.status == 401, "nonce \(offset) s away")
                #expect(FiberExchange.detail(shifted) == "Oi, that nonce is not valid!")
            }
            // 119 s is inside fiber's 120 s window.
            #expect(try await FiberExchange.send(client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: session,
                                                                now: Date().addingTimeInterval(-119))).status == 200)

            let other = try FiberMinerPeer.randomKeypair().ss58Address
            var readdressed = client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: session)
            readdressed.headers.replaceOrAdd(name: FiberWire.headerMinerHotkey, value: other)
            let tampered = try await FiberExchange.send(readdressed)
            #expect(tampered.status == 401)
            #expect(FiberExchange.detail(tampered) == "Oi, invalid signature, you're not who you said you were!")

            // fiber never compares `miner-hotkey` with its own hotkey: a request correctly signed
            // for another miner (key exchange included) is served. Only the signature binds it.
            let elsewhere = FiberMiner(baseURL: peer.url, hotkey: other)
            #expect(try await FiberExchange.read(client.execute(FiberExchange.body, to: elsewhere, path: "/echo", timeout: FiberExchange.timeout)).status == 200)

            // A body under another key (same uuid): fiber's decryption raises, the miner answers 500
            // and uvicorn then closes the connection (hence not pooled here).
            let wrongKey = FiberSession(fernet: Fernet.generate(), uuid: session.uuid, established: Date())
            var undecryptable = client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: wrongKey)
            undecryptable.headers.add(name: "Connection", value: "close")
            #expect(try await FiberExchange.send(undecryptable).status == 500)

            // An unknown uuid, without renewal: 400 with the detail the client renews on.
            let unknown = FiberSession(fernet: session.fernet, uuid: FiberHandshake.newKeyUUID(), established: Date())
            let noKey = try await FiberExchange.send(client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: unknown))
            #expect(noKey.status == 400)
            #expect(FiberExchange.detail(noKey).hasPrefix(FiberClient.unknownKeyDetail))

            let stranger = FiberClient(http: .shared, keypair: try FiberMinerPeer.randomKeypair(), configuration: FiberExchange.configuration(.v1))
            await #expect {
                try await stranger.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout)
            } throws: { error in
                guard case .refused(.keyExchange, 403, let body)? = error as? FiberError else { return false }
                return body.contains("Hotkey not found in metagraph")
            }
            let lowStake = FiberClient(http: .shared, keypair: poor, configuration: FiberExchange.configuration(.v1))
            await #expect {
                try await lowStake.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout)
            } throws: { error in
                guard case .refused(.keyExchange, 403, let body)? = error as? FiberError else { return false }
                return body.contains("Insufficient stake")
            }

            // fiber 2.x headers (no symmetric-key-uuid, plain JSON) are a validation error here.
            let plain = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v2))
            #expect(try await FiberExchange.read(plain.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout)).status == 422)
        }
    }
}

@Suite("fiber 2.1 against fiber's own miner",
       .enabled(if: FiberMinerPeer.python(.v2) != nil,
                "ORGANIC_PYTHON_FIBER2 is not set: scripts/test.sh installs fiber 2.1.0 from ../shared/peers/fiber-2.1.0.tar.gz into .venv-fiber2"))
struct Fiber2EndToEndTests {
    @Test("signed plain JSON: whole and streamed answers")
    func answers() async throws {
        let validator = try FiberMinerPeer.randomKeypair()
        try await FiberMinerPeer.with(.v2, validators: [.init(keypair: validator, stake: 2000)]) { peer in
            #expect(peer.fiberVersion == "2.1.0")
            let client = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v2))
            let answer = try await FiberExchange.read(client.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout))
            try #require(answer.status == 200, "\(answer.json)")
            #expect(answer.json["echo"] as? String == "héllo fiber")
            #expect(answer.json["sum"] as? Int == 6)
            #expect(answer.json["validator"] as? String == validator.ss58Address)
            #expect(answer.json["nonce"] is NSNull, "2.x adds no payload nonce")
            #expect(client.handshakeCount == 0)

            let stream = try await client.execute(FiberExchange.body, to: peer.miner, path: "/stream",
                                                  accept: "text/event-stream", timeout: FiberExchange.timeout)
            #expect(stream.status == .ok)
            #expect(try await FiberExchange.events(stream) == [#"data: {"n": 1}"#, #"data: {"n": 2}"#, #"data: {"n": 3}"#])
        }
    }

    @Test("fiber 2.1 still ships 1.0's protocol as fiber.encrypted: the 1.x client completes its handshake and gets answers")
    func encryptedPackage() async throws {
        let validator = try FiberMinerPeer.randomKeypair()
        try await FiberMinerPeer.with(.v2, validators: [.init(keypair: validator, stake: 2000)], encrypted: true) { peer in
            let client = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v1))
            let answer = try await FiberExchange.read(client.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout))
            #expect(answer.status == 200)
            #expect(answer.json["sum"] as? Int == 6)
            #expect(answer.json["nonce"] is String)
            #expect(client.handshakeCount == 1)
        }
    }

    @Test("refused: replayed, stale and future nonces, a changed body or miner-hotkey, unknown and low-stake senders; no handshake routes")
    func refusals() async throws {
        let validator = try FiberMinerPeer.randomKeypair()
        let poor = try FiberMinerPeer.randomKeypair()
        try await FiberMinerPeer.with(.v2, validators: [.init(keypair: validator, stake: 2000), .init(keypair: poor, stake: 10)]) { peer in
            let client = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v2))
            let request = client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: nil)
            #expect(try await FiberExchange.send(request).status == 200)
            let replayed = try await FiberExchange.send(request)
            #expect(replayed.status == 401)
            #expect(FiberExchange.detail(replayed) == "Oi, that nonce is not valid!")

            for offset in [-121.0, 121.0] {
                let shifted = try await FiberExchange.send(client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: nil,
                                                                          now: Date().addingTimeInterval(offset)))
                #expect(shifted.status == 401, "nonce \(offset) s away")
            }

            // 2.x signs sha256(body): another body under the same headers is refused.
            var changed = client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: nil)
            changed.body = .bytes(ByteBuffer(string: #"{"text": "changed", "numbers": []}"#))
            let changedAnswer = try await FiberExchange.send(changed)
            #expect(changedAnswer.status == 401)
            #expect(FiberExchange.detail(changedAnswer) == "Oi, invalid signature, you're not who you said you were!")

            let other = try FiberMinerPeer.randomKeypair().ss58Address
            var readdressed = client.request(FiberExchange.body, to: peer.miner, path: "/echo", session: nil)
            readdressed.headers.replaceOrAdd(name: FiberWire.headerMinerHotkey, value: other)
            #expect(try await FiberExchange.send(readdressed).status == 401)
            // As in 1.0, a request correctly signed for another miner is served.
            let elsewhere = FiberMiner(baseURL: peer.url, hotkey: other)
            #expect(try await FiberExchange.read(client.execute(FiberExchange.body, to: elsewhere, path: "/echo", timeout: FiberExchange.timeout)).status == 200)

            let stranger = FiberClient(http: .shared, keypair: try FiberMinerPeer.randomKeypair(), configuration: FiberExchange.configuration(.v2))
            let unknown = try await FiberExchange.read(stranger.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout))
            #expect(unknown.status == 403)
            #expect(FiberExchange.detail(unknown) == "Hotkey not found in metagraph")
            let lowStake = FiberClient(http: .shared, keypair: poor, configuration: FiberExchange.configuration(.v2))
            let insufficient = try await FiberExchange.read(lowStake.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout))
            #expect(insufficient.status == 403)
            #expect(FiberExchange.detail(insufficient).hasPrefix("Insufficient stake"))

            // 2.x serves no key exchange: a 1.x client's handshake stops at 404.
            let encrypted = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(.v1))
            await #expect(throws: FiberError.refused(step: .publicKey, status: 404, body: #"{"detail":"Not Found"}"#)) {
                try await encrypted.execute(FiberExchange.body, to: peer.miner, path: "/echo", timeout: FiberExchange.timeout)
            }
        }
    }
}
