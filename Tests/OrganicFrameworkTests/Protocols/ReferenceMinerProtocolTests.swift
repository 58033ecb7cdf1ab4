import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import OrganicTestKit
import ServiceLifecycle
import TextEmbeddingPlugin
import Testing
@testable import OrganicFramework
@testable import OrganicMinerKit

/// `ReferenceMinerServer` (what `organic-miner --protocol …` runs) serving the text-embedding
/// plugin over each miner protocol: the success paths against the real peers (a bittensor 10.5
/// `Dendrite`, fiber's own validator client), the refusals from Swift with the package's codec
/// and fiber client.
@Suite("Reference miner over each miner protocol")
struct ReferenceMinerProtocolTests {
    static let quiet = Logger(label: "reference-miner", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Alice's seed, the registered validator (fiber_validator.py takes a seed).
    static let aliceSeed = "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a"

    let validator: Sr25519Keypair
    let miner: Sr25519Keypair
    /// Registered with too little stake for fiber's default 1000 τ.
    let poor: Sr25519Keypair
    /// Not registered.
    let stranger: Sr25519Keypair

    init() throws {
        validator = try Sr25519Keypair.devAccount("Alice")
        miner = try Sr25519Keypair.devAccount("Bob")
        poor = try Sr25519Keypair.devAccount("Charlie")
        stranger = try Sr25519Keypair.devAccount("Dave")
    }

    func senders() -> ReferenceMinerServer.SenderPolicy {
        let directory = SenderDirectory(source: StaticMetagraphSource(metagraph: Metagraph(neurons: [])), logger: Self.quiet)
        directory.install(Metagraph(neurons: [
            Neuron(uid: 0, hotkey: validator.ss58Address, url: nil, stake: 2000, validatorPermit: true),
            Neuron(uid: 1, hotkey: poor.ss58Address, url: nil, stake: 10, validatorPermit: true),
        ]))
        return .init(hotkey: miner.ss58Address, directory: directory)
    }

    static func embeddingHandlers() throws -> [any MinerHandler] {
        try TextEmbeddingPlugin().referenceMiners(options: .init())
    }

    /// What the reference handler answers, computed in process.
    static func expectedEmbeddings(_ input: [String], seed: UInt64) async throws -> [[Float]] {
        let handler = try #require(try embeddingHandlers().first as? TextEmbeddingMiner)
        return try await handler.respond(to: TextEmbeddingRequest(input: input, dimensions: 64, seed: seed), context: MinerContext()).embeddings
    }

    /// Runs `ReferenceMinerServer` on a free loopback port for the length of `body`.
    static func withMiner<T: Sendable>(_ minerProtocol: MinerProtocol, senders: ReferenceMinerServer.SenderPolicy?,
                                       handlers: [any MinerHandler], declaration: CapacityDeclaration? = nil,
                                       _ body: @Sendable (_ url: String, _ port: Int) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = ReferenceMinerServer.application(
            handlers: handlers, options: .init(capacityDeclaration: declaration, minerProtocol: minerProtocol, senders: senders),
            logger: quiet, onRunning: { continuation.yield($0) })
        let group = ServiceGroup(services: [app], logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let result: Result<T, any Error>
            do { result = .success(try await body("http://127.0.0.1:\(port)", port)) } catch { result = .failure(error) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    static func floats(_ value: Any?) -> [[Float]]? {
        (value as? [[Any]])?.map { row in row.compactMap { ($0 as? NSNumber).map { Float($0.doubleValue) } } }
    }

    // MARK: Axon

    /// An axon reply with the body's `code`.
    struct AxonAnswer {
        var reply: AxonReply
        var code: String?
    }

    static func send(_ request: AxonSynapseCodec.Request, port: Int) async throws -> AxonAnswer {
        var http = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(request.path)")
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await HTTPClient.shared.execute(http, timeout: .seconds(30))
        let body = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        let reply = AxonReply(httpStatus: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
        let code = (try? SynapseJSON.parse(body))?.objectValue?["code"]?.stringValue
        return AxonAnswer(reply: reply, code: code)
    }

    struct DendriteResult: Decodable {
        var status_code: Int?
        var status_message: String?
        var embeddings: [[Double]]
        var input: [String]
    }

    @Test("a real SDK 10 Dendrite gets the miner's embeddings in its TextEmbeddings synapse, twice (increasing nonces); an unregistered one gets 403",
          .enabled(if: SDK10Python.python != nil, Comment(rawValue: SDK10Python.skipMessage)),
          .enabled(Comment(rawValue: SDK10Python.importMessage)) { await SDK10Python.hasSDK10() })
    func sdkDendriteIsServed() async throws {
        let python = try #require(SDK10Python.python)
        let script = SDK10Python.fixture("axon_sdk10_text_embeddings.py")
        let text = "hé 'q' 🙂 lighthouse"
        let expected = try await Self.expectedEmbeddings([text, "second"], seed: 7)
        let miner = self.miner
        try await Self.withMiner(.axonSynapse, senders: senders(), handlers: try Self.embeddingHandlers()) { _, port in
            let run = try await ChildProcess.run(python, [script, Self.aliceSeed, String(port), miner.ss58Address, text])
            try #require(run.status == 0, "axon_sdk10_text_embeddings.py failed: \(run.errorText.suffix(4000))")
            let results = try JSONDecoder().decode([DendriteResult].self, from: run.output)
            #expect(results.map(\.status_code) == [200, 200], "\(results.map { $0.status_message ?? "" })")
            for result in results {
                #expect(result.input == [text, "second"])
                #expect(result.embeddings.map { $0.map(Float.init) } == expected)
            }

            let strangerSeed = "0x" + Hex.encode(SDK10Python.randomSeed())
            let refused = try await ChildProcess.run(python, [script, strangerSeed, String(port), miner.ss58Address, "x"])
            try #require(refused.status == 0, "axon_sdk10_text_embeddings.py failed: \(refused.errorText.suffix(4000))")
            let strangers = try JSONDecoder().decode([DendriteResult].self, from: refused.output)
            #expect(strangers.map(\.status_code) == [403, 403])
            #expect(strangers.first?.status_message?.contains("not registered") == true, "\(strangers.first?.status_message ?? "")")
            #expect(strangers.allSatisfy { $0.embeddings.isEmpty })
        }
    }

    @Test("axon: served to our dendrite codec; replayed and stale nonces, another receiver, an unknown sender, an unknown synapse and a bad request are refused as the SDK refuses them")
    func axonRefusals() async throws {
        let validator = self.validator, miner = self.miner, stranger = self.stranger
        let poor = self.poor
        let wire = AxonSynapse(TextEmbeddingEndpoint.synapse)
        let fields = Array(#"{"input": ["hello axon"], "dimensions": 64, "seed": 7}"#.utf8)
        let expected = try await Self.expectedEmbeddings(["hello axon"], seed: 7)
        try await Self.withMiner(.axonSynapse, senders: senders(), handlers: try Self.embeddingHandlers()) { _, port in
            let codec = AxonSynapseCodec(keypair: validator)
            let target = AxonSynapseCodec.Target(hotkey: miner.ss58Address, ip: "127.0.0.1", port: port)
            let request = try codec.encode(fields: fields, synapse: wire, timeout: .seconds(10), axon: target)
            let served = try await Self.send(request, port: port)
            #expect(served.reply.isSuccess, "\(served.reply.message ?? "")")
            #expect(served.reply.responseFields?["input"] == .array([.string("hello axon")]))
            let embeddings = served.reply.responseFields?["embeddings"].flatMap { try? JSONDecoder().decode([[Float]].self, from: Data($0.jsonBytes)) }
            #expect(embeddings == expected)

            func expectRefused(_ answer: AxonAnswer, _ status: Int, _ code: String, _ says: String, _ comment: Comment) {
                #expect(answer.reply.httpStatus == status, comment)
                #expect(answer.reply.status == status, "bt_header_axon_status_code: \(comment)")
                #expect(answer.code == code, comment)
                #expect(answer.reply.message?.contains(says) == true, "\(answer.reply.message ?? "no message"): \(comment)")
            }
            expectRefused(try await Self.send(request, port: port), 401, "axon_nonce_not_increasing", "Nonce is too old", "replayed")

            let late = AxonSynapseCodec(keypair: validator, clock: ManualNodeClock(start: Date().addingTimeInterval(-60)))
            expectRefused(try await Self.send(try late.encode(fields: fields, synapse: wire, timeout: .seconds(10), axon: target), port: port),
                          401, "axon_stale_nonce", "Nonce is too old", "a first nonce 60 s old")

            let elsewhere = AxonSynapseCodec.Target(hotkey: poor.ss58Address, ip: "127.0.0.1", port: port)
            expectRefused(try await Self.send(try codec.encode(fields: fields, synapse: wire, timeout: .seconds(10), axon: elsewhere), port: port),
                          401, "axon_wrong_receiver", poor.ss58Address, "addressed to another axon")

            let unknown = AxonSynapseCodec(keypair: stranger)
            expectRefused(try await Self.send(try unknown.encode(fields: fields, synapse: wire, timeout: .seconds(10), axon: target), port: port),
                          403, "axon_unknown_sender", "not registered", "an unregistered dendrite")

            let other = AxonSynapse(name: "ImageToText", hashFields: ["input"])
            expectRefused(try await Self.send(try codec.encode(fields: fields, synapse: other, timeout: .seconds(10), axon: target), port: port),
                          404, "axon_unknown_synapse", "Synapse name 'ImageToText' not found", "a synapse this miner does not serve")

            let garbled = try codec.encode(fields: Array(#"{"input": "not a list", "dimensions": 64, "seed": 7}"#.utf8), synapse: wire,
                                           timeout: .seconds(10), axon: target)
            let bad = try await Self.send(garbled, port: port)
            #expect(bad.reply.httpStatus == 400 && bad.reply.message?.contains("input") == true, "\(bad.reply.message ?? "")")

            let next = try await Self.send(try codec.encode(fields: fields, synapse: wire, timeout: .seconds(10), axon: target), port: port)
            #expect(next.reply.isSuccess, "a later nonce still passes: \(next.reply.message ?? "")")
        }
    }

    @Test("axon without a sender policy answers 503 miner_misconfigured")
    func axonNeedsSenders() async throws {
        try await Self.withMiner(.axonSynapse, senders: nil, handlers: try Self.embeddingHandlers()) { url, _ in
            var request = HTTPClientRequest(url: url + "/TextEmbeddings")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: "{}"))
            let answer = try await FiberExchange.send(request)
            #expect(answer.status == 503)
            #expect((answer.json["error"] as? [String: Any])?["code"] as? String == "miner_misconfigured")
        }
    }

    // MARK: fiber

    static let fiberPayload = Array(#"{"input": ["h\u00e9llo fiber", "second"], "dimensions": 64, "seed": 7}"#.utf8)

    @Test("fiber 1.0's own validator code (handshake, encrypted posts) is answered by the reference miner in fiber/1 mode",
          .enabled(if: FiberMinerPeer.python(.v1) != nil, "ORGANIC_PYTHON_FIBER1 is not set (scripts/test.sh installs fiber 1.0.0)"))
    func fiber1ValidatorIsServed() async throws {
        try await fiberValidatorIsServed(.v1)
    }

    @Test("fiber 2.1's own validator code (signed plain posts) is answered by the reference miner in fiber/2 mode",
          .enabled(if: FiberMinerPeer.python(.v2) != nil, "ORGANIC_PYTHON_FIBER2 is not set (scripts/test.sh installs fiber 2.1.0)"))
    func fiber2ValidatorIsServed() async throws {
        try await fiberValidatorIsServed(.v2)
    }

    func fiberValidatorIsServed(_ version: FiberVersion) async throws {
        let python = try #require(FiberMinerPeer.python(version))
        let script = SDK10Python.fixture("fiber_validator.py")
        #expect(try Sr25519Keypair(miniSecretSeedHex: Self.aliceSeed).ss58Address == validator.ss58Address)
        let expected = try await Self.expectedEmbeddings(["héllo fiber", "second"], seed: 7)
        let miner = self.miner
        try await Self.withMiner(version == .v1 ? .fiber1 : .fiber2, senders: senders(), handlers: try Self.embeddingHandlers()) { url, _ in
            let run = try await ChildProcess.run(python, [script, url, miner.ss58Address, Self.aliceSeed, "/text-embeddings"],
                                                 stdin: Data(Self.fiberPayload))
            try #require(run.status == 0, "fiber_validator.py failed: \(run.errorText.suffix(4000))")
            let output = try #require(try JSONSerialization.jsonObject(with: run.output) as? [String: Any])
            let answers = try #require(output["answers"] as? [[String: Any]])
            #expect(answers.map { $0["status"] as? Int } == [200, 200], "\(answers)")
            for answer in answers {
                let body = try JSONSerialization.jsonObject(with: Data(((answer["body"] as? String) ?? "").utf8)) as? [String: Any]
                #expect(Self.floats(body?["embeddings"]) == expected)
            }
        }
    }

    @Test("fiber: replayed and stale nonces, another receiver, an unknown sender and too little stake are refused with fiber's statuses and stable codes; capacity and streams are served",
          arguments: FiberVersion.allCases)
    func fiberRefusals(_ version: FiberVersion) async throws {
        let validator = self.validator, miner = self.miner, stranger = self.stranger, poor = self.poor
        let expected = try await Self.expectedEmbeddings(["héllo fiber", "second"], seed: 7)
        let handlers = try Self.embeddingHandlers() + CounterStreamPlugin(chunkTimeout: .seconds(5)).referenceMiners(options: .init())
        try await Self.withMiner(version == .v1 ? .fiber1 : .fiber2, senders: senders(), handlers: handlers,
                                 declaration: CapacityDeclaration()) { url, _ in
            let client = FiberClient(http: .shared, keypair: validator, configuration: FiberExchange.configuration(version))
            let target = FiberMiner(baseURL: url, hotkey: miner.ss58Address)
            let session = version == .v1 ? try await client.session(for: target) : nil
            let path = "/text-embeddings"
            func code(_ answer: (status: Int, json: [String: Any])) -> String? { (answer.json["error"] as? [String: Any])?["code"] as? String }

            let first = client.request(Self.fiberPayload, to: target, path: path, session: session)
            let served = try await FiberExchange.send(first)
            #expect(served.status == 200)
            #expect(Self.floats(served.json["embeddings"]) == expected)

            let replayed = try await FiberExchange.send(first)
            #expect(replayed.status == 401 && code(replayed) == "fiber_replayed", "\(replayed.json)")

            let stale = try await FiberExchange.send(client.request(Self.fiberPayload, to: target, path: path, session: session,
                                                                     now: Date().addingTimeInterval(-300)))
            #expect(stale.status == 401 && code(stale) == "fiber_bad_nonce", "\(stale.json)")

            let elsewhere = FiberMiner(baseURL: url, hotkey: poor.ss58Address)
            let misaddressed = try await FiberExchange.send(client.request(Self.fiberPayload, to: elsewhere, path: path, session: session))
            #expect(misaddressed.status == 401 && code(misaddressed) == "fiber_wrong_receiver", "\(misaddressed.json)")

            let strangerClient = FiberClient(http: .shared, keypair: stranger, configuration: FiberExchange.configuration(version))
            let unknown = try await FiberExchange.send(strangerClient.request(Self.fiberPayload, to: target, path: path, session: session))
            #expect(unknown.status == 403 && code(unknown) == "fiber_unknown_sender", "\(unknown.json)")
            #expect((unknown.json["error"] as? [String: Any])?["message"] as? String == "Hotkey not found in metagraph", "fiber's own text")

            let poorClient = FiberClient(http: .shared, keypair: poor, configuration: FiberExchange.configuration(version))
            let underStaked = try await FiberExchange.send(poorClient.request(Self.fiberPayload, to: target, path: path, session: session))
            #expect(underStaked.status == 403 && code(underStaked) == "fiber_insufficient_stake", "fiber's default 1000 τ: \(underStaked.json)")

            var unsigned = HTTPClientRequest(url: url + path)
            unsigned.method = .POST
            unsigned.body = .bytes(ByteBuffer(bytes: Self.fiberPayload))
            let plain = try await FiberExchange.send(unsigned)
            #expect(plain.status == 422 && code(plain) == "fiber_missing_header", "\(plain.json)")

            // The capacity declaration, under the same protocol.
            let capacity = try await FiberExchange.read(client.execute(Array("{}".utf8), to: target, path: "/capacity", timeout: FiberExchange.timeout))
            #expect(capacity.status == 200)
            #expect(capacity.json["capacities"] as? [String: Int] == ["text-embeddings": 16, "counter": 16])
            var unsignedProbe = HTTPClientRequest(url: url + "/capacity")
            unsignedProbe.method = .POST
            unsignedProbe.body = .bytes(ByteBuffer(string: "{}"))
            #expect(try await FiberExchange.send(unsignedProbe).status == 422)

            // A streamed answer: Server-Sent Events, as in plain mode.
            let streamed = try await client.execute(Array(#"{"count": 3, "stream": true}"#.utf8), to: target, path: "/counter",
                                                    accept: "text/event-stream", timeout: FiberExchange.timeout)
            #expect(streamed.status == .ok)
            #expect(streamed.headers["Content-Type"].first?.hasPrefix("text/event-stream") == true)
            #expect(try await FiberExchange.events(streamed) == [#"data: {"n":0}"#, #"data: {"n":1}"#, #"data: {"n":2}"#, "data: [DONE]"])
        }
    }

    @Test("fiber/1 and fiber/2 without a sender policy answer 503 miner_misconfigured", arguments: [MinerProtocol.fiber1, .fiber2])
    func fiberNeedsSenders(_ minerProtocol: MinerProtocol) async throws {
        try await Self.withMiner(minerProtocol, senders: nil, handlers: try Self.embeddingHandlers()) { url, _ in
            var request = HTTPClientRequest(url: url + "/text-embeddings")
            request.method = .POST
            request.body = .bytes(ByteBuffer(bytes: Self.fiberPayload))
            let answer = try await FiberExchange.send(request)
            #expect(answer.status == 503)
            #expect((answer.json["error"] as? [String: Any])?["code"] as? String == "miner_misconfigured")
        }
    }

    @Test("plain JSON stays the default, and unsigned serves everyone")
    func plainModes() async throws {
        let body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["hi"], dimensions: 64, seed: 1))
        #expect(ReferenceMinerServer.Options().minerProtocol == .btauth)
        for minerProtocol in [MinerProtocol.btauth, .unsigned] {
            try await Self.withMiner(minerProtocol, senders: nil, handlers: try Self.embeddingHandlers()) { url, _ in
                var request = HTTPClientRequest(url: url + "/text-embeddings")
                request.method = .POST
                request.body = .bytes(ByteBuffer(bytes: body))
                let answer = try await FiberExchange.send(request)
                #expect(answer.status == 200 && answer.json["embeddings"] != nil)
            }
        }
    }
}
