import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OrganicTestKit
import PropertyBased
import ServiceLifecycle
import Synchronization
import Testing
@testable import OrganicFramework
@testable import OrganicMinerKit

/// Our Axon-synapse wire against bittensor 10.5 itself (`$ORGANIC_PYTHON_SDK10`): the SDK's
/// `body_hash`, `Keypair.verify` and `Axon.default_verify` on requests the codec built, a real
/// `bt.Axon` answering the codec, and a real `bt.Dendrite` passing our verifier.
@Suite("Axon synapse against the bittensor 10 SDK", .serialized,
       .enabled(if: SDK10Python.python != nil, Comment(rawValue: SDK10Python.skipMessage)),
       .enabled(Comment(rawValue: SDK10Python.importMessage)) { await SDK10Python.hasSDK10() })
struct AxonSynapseInteropTests {
    /// Python types of the probe synapse's fields, and how the hash reads their numbers.
    static let fieldKinds: [(name: String, python: String, numbers: PythonStr.Numbers)] = [
        ("text", "str", .asParsed), ("count", "int", .asParsed), ("ratio", "float", .floats),
        ("scores", "list[float]", .floats), ("meta", "dict", .asParsed), ("items", "list", .asParsed),
        ("anything", "any", .asParsed), ("maybe", "optional[str]", .asParsed), ("flag", "bool", .asParsed),
    ]

    static func value(for kind: String, _ random: inout OrganicRandom) -> SynapseJSON {
        switch kind {
        case "str": return .string(RandomJSON.string(&random, maxLength: 30))
        case "int": return .int(RandomJSON.int(&random))
        case "float", "list[float]":
            func number(_ random: inout OrganicRandom) -> SynapseJSON {
                Bool.random(using: &random) ? .int(Int.random(in: -(1 << 53)...(1 << 53), using: &random)) : .float(RandomJSON.float(&random))
            }
            if kind == "float" { return number(&random) }
            return .array((0..<Int.random(in: 0...5, using: &random)).map { _ in number(&random) })
        case "dict":
            var object = SynapseJSON.Object()
            for _ in 0..<Int.random(in: 0...4, using: &random) { object[RandomJSON.string(&random, maxLength: 6)] = RandomJSON.value(&random, depth: 1) }
            return .object(object)
        case "list": return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in RandomJSON.value(&random, depth: 1) })
        case "optional[str]": return Bool.random(using: &random) ? .null : .string(RandomJSON.string(&random))
        case "bool": return .bool(Bool.random(using: &random))
        default: return RandomJSON.value(&random, depth: 0)
        }
    }

    struct CheckResult: Decodable {
        var body_hash: String
        var message: String
        var signature_valid: Bool
        var default_verify: String
    }

    static func pythonUnicode(_ python: String) async throws -> PythonStr.UnicodeVersion {
        let run = try await ChildProcess.run(python, ["-c", "import unicodedata; print(unicodedata.unidata_version)"])
        return try #require(PythonStr.UnicodeVersion(run.outputText.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test("body_hash, the signed message and default_verify agree with the SDK on random synapses")
    func hashAndSignatureMatchTheSDK() async throws {
        let python = try #require(SDK10Python.python)
        let unicode = try await Self.pythonUnicode(python)
        await propertyCheck(count: 3, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let dendrite = try Sr25519Keypair(miniSecretSeed: (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
            let axon = try Sr25519Keypair(miniSecretSeed: (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
            let codec = AxonSynapseCodec(keypair: dendrite)
            var cases: [[String: Any]] = []
            var requests: [AxonSynapseCodec.Request] = []
            for _ in 0..<40 {
                let kinds = Self.fieldKinds.shuffled(using: &random).prefix(Int.random(in: 1...Self.fieldKinds.count, using: &random))
                let hashed = kinds.filter { _ in Int.random(in: 0..<4, using: &random) > 0 }
                var fields = SynapseJSON.Object()
                for kind in kinds { fields[kind.name] = Self.value(for: kind.python, &random) }
                let synapse = AxonSynapse(name: "Probe", hashFields: hashed.map { .init($0.name, numbers: $0.numbers) }, pythonUnicode: unicode)
                let request = try codec.encode(fields: fields, synapse: synapse, timeout: .seconds(12), axon: .init(hotkey: axon.ss58Address))
                requests.append(request)
                cases.append([
                    "fields": Dictionary(uniqueKeysWithValues: kinds.map { ($0.name, $0.python) }),
                    "hash_fields": hashed.map(\.name),
                    "headers": Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
                    "body": String(decoding: request.body, as: UTF8.self),
                ])
            }
            let input = try JSONSerialization.data(withJSONObject: ["cases": cases])
            let run = try await ChildProcess.run(python, [SDK10Python.sdkScript, "check"], stdin: input)
            try #require(run.status == 0, "axon_synapse_sdk.py check failed: \(run.errorText)")
            let results = try JSONDecoder().decode([CheckResult].self, from: run.output)
            try #require(results.count == requests.count)
            for (request, result) in zip(requests, results) {
                let body = String(decoding: request.body, as: UTF8.self)
                #expect(result.body_hash == request.bodyHash, "body: \(body)")
                #expect(Array(result.message.utf8) == AxonWire.signatureMessage(
                    nonce: request.nonce, dendriteHotkey: dendrite.ss58Address, axonHotkey: axon.ss58Address,
                    uuid: codec.uuid, bodyHash: request.bodyHash))
                #expect(result.signature_valid)
                #expect(result.default_verify == "ok", "body: \(body)")
            }
        }
    }

    // MARK: A real bt.Axon

    final class Exited: Sendable {
        let flag = Atomic<Bool>(false)
    }

    /// Runs Tests/Fixtures/axon_sdk10_server.py and gives `body` its port and hotkey.
    static func withSDKAxon(_ body: (_ port: Int, _ hotkey: String) async throws -> Void) async throws {
        let python = try #require(SDK10Python.python)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-axon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ready = directory.appendingPathComponent("ready.json"), stop = directory.appendingPathComponent("stop")
        let exited = Exited()
        let child = Task {
            defer { exited.flag.store(true, ordering: .releasing) }
            return try await ChildProcess.run(python, [SDK10Python.serverScript, directory.path])
        }
        let started = await eventually(timeout: .seconds(120), every: .milliseconds(50)) {
            FileManager.default.fileExists(atPath: ready.path) || exited.flag.load(ordering: .acquiring)
        }
        var outcome: Result<Void, any Error> = .success(())
        if started, let data = FileManager.default.contents(atPath: ready.path),
           let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let port = info["port"] as? Int, let hotkey = info["hotkey"] as? String {
            do { try await body(port, hotkey) } catch { outcome = .failure(error) }
        } else {
            Issue.record("the SDK axon did not start")
        }
        _ = FileManager.default.createFile(atPath: stop.path, contents: Data())
        let run = try await child.value
        if run.status != 0 || !started { Issue.record("axon_sdk10_server.py exited \(run.status): \(run.errorText.suffix(4000))") }
        try outcome.get()
    }

    static func send(_ request: AxonSynapseCodec.Request, port: Int) async throws -> AxonReply {
        var http = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(request.path)")
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await HTTPClient.shared.execute(http, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return AxonReply(httpStatus: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                         body: Array(body.readableBytesView))
    }

    @Test("a real SDK 10 Axon answers our request with the synapse filled; replays, a wrong axon hotkey and a tampered body are refused")
    func realAxonAnswers() async throws {
        let echo = AxonSynapse(name: "Echo", hashFields: ["text", "count", .init("ratio", numbers: .floats)],
                               pythonUnicode: try await Self.pythonUnicode(try #require(SDK10Python.python)))
        let codec = AxonSynapseCodec(keypair: try Sr25519Keypair(miniSecretSeed: SDK10Python.randomSeed()))
        let fields = Array(#"{"text":"hé \"q\" 🙂 it's","count":3,"ratio":1}"#.utf8)
        try await Self.withSDKAxon { port, hotkey in
            let target = AxonSynapseCodec.Target(hotkey: hotkey, ip: "127.0.0.1", port: port)
            let request = try codec.encode(fields: fields, synapse: echo, timeout: .seconds(10), axon: target)
            let reply = try await Self.send(request, port: port)
            #expect(reply.httpStatus == 200, "\(reply.message ?? "")")
            #expect(reply.isSuccess)
            // `ratio: 1` reached the axon's float field as 1.0, which is what the hash covered.
            #expect(reply.responseFields?["answer"] == .string("hé \"q\" 🙂 it's|3|1.0"))
            #expect(reply.responseFields?["text"] == .string("hé \"q\" 🙂 it's"))
            #expect(reply.message == "Success")

            let replay = try await Self.send(request, port: port)
            #expect(replay.status == 401)
            #expect(replay.message?.contains("Nonce is too old") == true, "\(replay.message ?? "")")

            let next = try await Self.send(try codec.encode(fields: fields, synapse: echo, timeout: .seconds(10), axon: target), port: port)
            #expect(next.isSuccess, "a later nonce passes: \(next.message ?? "")")

            let elsewhere = AxonSynapseCodec.Target(hotkey: try Sr25519Keypair.devAccount("Bob").ss58Address, ip: "127.0.0.1", port: port)
            let misaddressed = try await Self.send(try codec.encode(fields: fields, synapse: echo, timeout: .seconds(10), axon: elsewhere), port: port)
            #expect(misaddressed.status == 401)
            #expect(misaddressed.message?.contains("Signature mismatch") == true, "\(misaddressed.message ?? "")")

            var tampered = try codec.encode(fields: fields, synapse: echo, timeout: .seconds(10), axon: target)
            tampered.body = Array(String(decoding: tampered.body, as: UTF8.self).replacingOccurrences(of: "\"count\":3", with: "\"count\":4").utf8)
            let refused = try await Self.send(tampered, port: port)
            #expect(!refused.isSuccess)
            #expect(refused.status == 500, "the SDK raises on a body-hash mismatch: \(refused.message ?? "")")
        }
    }

    // MARK: A real bt.Dendrite

    /// A tiny axon: `POST /Echo` through ``AxonSynapseVerifier``, answering `answer`.
    static func withVerifyingServer(_ verifier: AxonSynapseVerifier, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("/Echo") { request, _ -> Response in
            let bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            let headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
            let answer: AxonResponse
            do throws(AxonRefusal) {
                let verified = try verifier.verify(path: request.uri.path, headers: headers, body: bytes)
                let text = verified.request["text"]?.stringValue ?? ""
                answer = .success(request: verified.request, answer: SynapseJSON.Object([("answer", .string("echo: " + text))]), processTime: 0.001)
            } catch {
                answer = .refusal(error)
            }
            var fields = HTTPFields()
            for header in answer.headers { if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) } }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let quiet = Logger(label: "axon", factory: { _ in SwiftLogNoOpLogHandler() })
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [app], logger: quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let outcome: Result<Void, any Error>
            do { outcome = .success(try await body(port)) } catch { outcome = .failure(error) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try outcome.get()
        }
    }

    struct DendriteResult: Decodable {
        var status_code: Int?
        var status_message: String?
        var answer: String
    }

    @Test("a real SDK 10 Dendrite passes our verifier twice (increasing nonces); an unregistered one is refused")
    func realDendriteIsVerified() async throws {
        let python = try #require(SDK10Python.python)
        let axon = try Sr25519Keypair.devAccount("Bob")
        let seed = SDK10Python.randomSeed(), strangerSeed = SDK10Python.randomSeed()
        let validator = try Sr25519Keypair(miniSecretSeed: seed)
        let echo = AxonSynapse(name: "Echo", hashFields: ["text", "count", .init("ratio", numbers: .floats)])
        let verifier = AxonSynapseVerifier(policy: .init(selfHotkey: axon.ss58Address, synapses: [echo]),
                                           directory: .fixed(validators: [validator.ss58Address], logger: Logger(label: "test")))
        try await Self.withVerifyingServer(verifier) { port in
            let run = try await ChildProcess.run(python, [SDK10Python.dendriteScript, "0x" + Hex.encode(seed), String(port), axon.ss58Address, "hé 'q' 🙂"])
            try #require(run.status == 0, "axon_sdk10_dendrite.py failed: \(run.errorText.suffix(4000))")
            let results = try JSONDecoder().decode([DendriteResult].self, from: run.output)
            #expect(results.map(\.status_code) == [200, 200], "\(results.map { $0.status_message ?? "" })")
            #expect(results.map(\.answer) == ["echo: hé 'q' 🙂", "echo: hé 'q' 🙂"])

            let refused = try await ChildProcess.run(python, [SDK10Python.dendriteScript, "0x" + Hex.encode(strangerSeed), String(port), axon.ss58Address, "x"])
            try #require(refused.status == 0, "axon_sdk10_dendrite.py failed: \(refused.errorText.suffix(4000))")
            let strangers = try JSONDecoder().decode([DendriteResult].self, from: refused.output)
            #expect(strangers.map(\.status_code) == [403, 403])
            #expect(strangers.first?.status_message?.contains("not registered") == true)
            #expect(strangers.map(\.answer) == ["", ""])
        }
    }
}
