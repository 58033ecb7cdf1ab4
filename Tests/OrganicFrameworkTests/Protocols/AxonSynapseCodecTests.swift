import Foundation
import Logging
import OrganicTestKit
import Testing
@testable import OrganicFramework
@testable import OrganicMinerKit

@Suite("Axon synapse (SDK ≤ 10): codec and verifier")
struct AxonSynapseCodecTests {
    let validator: Sr25519Keypair
    let miner: Sr25519Keypair
    let stranger: Sr25519Keypair
    let clock = ManualNodeClock()
    let echo = AxonSynapse(name: "Echo", hashFields: ["text", .init("ratio", numbers: .floats)])

    init() throws {
        validator = try Sr25519Keypair.devAccount("Alice")
        miner = try Sr25519Keypair.devAccount("Bob")
        stranger = try Sr25519Keypair.devAccount("Charlie")
    }

    func codec(_ keypair: Sr25519Keypair? = nil, uuid: String = "5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a") -> AxonSynapseCodec {
        AxonSynapseCodec(keypair: keypair ?? validator, clock: clock, uuid: uuid)
    }

    func verifier(permit: Bool = true, capacity: Int = 100, skew: Double? = nil) -> AxonSynapseVerifier {
        let directory = SenderDirectory(source: StaticMetagraphSource(metagraph: Metagraph(neurons: [])), logger: Logger(label: "test"))
        directory.install(Metagraph(neurons: [
            Neuron(uid: 3, hotkey: validator.ss58Address, url: nil, stake: 1000, validatorPermit: permit),
            Neuron(uid: 4, hotkey: miner.ss58Address, url: "http://127.0.0.1:1"),
        ]))
        var policy = AxonSynapseVerifier.Policy(selfHotkey: miner.ss58Address, synapses: [echo])
        policy.nonceTableCapacity = capacity
        policy.maximumFutureSkewSeconds = skew
        return AxonSynapseVerifier(policy: policy, directory: directory, clock: clock)
    }

    func request(_ codec: AxonSynapseCodec? = nil, fields: String = #"{"text":"hé \"q\"","ratio":1}"#, to axon: String? = nil) throws -> AxonSynapseCodec.Request {
        try (codec ?? self.codec()).encode(fields: Array(fields.utf8), synapse: echo, timeout: .seconds(12),
                                           axon: .init(hotkey: axon ?? miner.ss58Address, url: "http://10.0.0.7:8091"))
    }

    func reason(_ verifier: AxonSynapseVerifier, _ request: AxonSynapseCodec.Request, path: String? = nil, body: [UInt8]? = nil) -> AxonRefusal.Reason? {
        do throws(AxonRefusal) {
            _ = try verifier.verify(path: path ?? request.path, headers: request.headers, body: body ?? request.body)
            return nil
        } catch {
            return error.reason
        }
    }

    /// A vector captured from a real bittensor 10.5 Dendrite: `text='hé "q"\n'`, `n` left at its default 1.
    @Test func bodyHashMatchesTheSDKVector() throws {
        let synapse = AxonSynapse(name: "Echo", hashFields: ["text", "n"])
        let fields = try #require(try SynapseJSON.parse(#"{"text":"hé \"q\"\n","n":1}"#).objectValue)
        #expect(synapse.bodyHash(of: fields) == "43d8418840a8816ac94f2020b0803da2bc583326dee3a798625eb55cd4e38fce")
        // No hash fields: SHA3-256 of the empty string.
        #expect(AxonSynapse(name: "Ping").bodyHash(of: fields) == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    @Test func requestLooksLikeTheSDKs() throws {
        let request = try request()
        #expect(request.path == "/Echo")
        #expect(request.headers.map(\.name) == [
            "name", "timeout", "bt_header_axon_ip", "bt_header_axon_port", "bt_header_axon_hotkey",
            "bt_header_dendrite_version", "bt_header_dendrite_nonce", "bt_header_dendrite_uuid", "bt_header_dendrite_hotkey",
            "bt_header_dendrite_signature", "bt_header_input_obj_text", "bt_header_input_obj_ratio",
            "header_size", "total_size", "computed_body_hash",
        ])
        #expect(request.header("timeout") == "12.0")
        #expect(request.header("bt_header_dendrite_version") == "10005000")
        #expect(request.header("bt_header_dendrite_nonce") == "1800000000000000000")
        #expect(request.header("bt_header_axon_ip") == "10.0.0.7")
        #expect(request.header("bt_header_axon_port") == "8091")
        #expect(request.header("bt_header_input_obj_text") == "IiI=")  // json.dumps(str()) = ""
        #expect(request.header("bt_header_input_obj_ratio") == "MA==")  // 0
        let body = try #require(try SynapseJSON.parse(request.body).objectValue)
        #expect(body.keys == ["name", "timeout", "total_size", "header_size", "dendrite", "axon", "computed_body_hash", "text", "ratio"])
        #expect(body["name"] == .string("Echo"))
        #expect(body["timeout"] == .float(12))
        #expect(body["computed_body_hash"] == .string(""))
        let dendrite = try #require(body["dendrite"]?.objectValue)
        #expect(dendrite.keys == AxonWire.terminalKeys)
        #expect(dendrite["hotkey"] == .string(validator.ss58Address))
        #expect(dendrite["signature"]?.stringValue == request.header("bt_header_dendrite_signature"))
        // The hash treats `ratio: 1` as the float 1.0 the axon's model holds.
        let expected = AxonWire.sha3Hex(AxonWire.sha3Hex("hé \"q\"") + AxonWire.sha3Hex("1.0"))
        #expect(request.header("computed_body_hash") == expected)
        let message = "1800000000000000000.\(validator.ss58Address).\(miner.ss58Address).5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a.\(expected)"
        let signature = try Hex.decode(try #require(request.header("bt_header_dendrite_signature")))
        #expect(Sr25519.verify(signature: signature, message: Array(message.utf8), publicKey: validator.publicKey))
    }

    @Test func missingHashFieldIsSentAsNull() throws {
        let request = try request(fields: #"{"text":"x"}"#)
        let body = try #require(try SynapseJSON.parse(request.body).objectValue)
        #expect(body["ratio"] == .null)
        #expect(request.header("bt_header_input_obj_ratio") == nil)
        #expect(request.header("computed_body_hash") == AxonWire.sha3Hex(AxonWire.sha3Hex("x") + AxonWire.sha3Hex("None")))
    }

    @Test func refusesRequestsItCannotSend() {
        #expect(throws: AxonSynapseError.reservedField("timeout")) { try request(fields: #"{"text":"x","timeout":3}"#) }
        #expect(throws: AxonSynapseError.notAnObject) { try request(fields: "[1]") }
        #expect(throws: AxonSynapseError.self) { try request(fields: "{") }
    }

    @Test func noncesIncreaseWhenTheClockStandsStillOrStepsBack() throws {
        let codec = codec()
        let first = try request(codec), second = try request(codec)
        #expect(second.nonce == first.nonce + 1)
        clock.advance(by: .seconds(1))
        let third = try request(codec)
        #expect(third.nonce == 1_800_000_001_000_000_000)
    }

    @Test func verifierAcceptsTheCodecsRequests() throws {
        let verifier = verifier(), codec = codec()
        let request = try request(codec)
        let verified = try verifier.verify(path: request.path, headers: request.headers, body: request.body)
        #expect(verified.hotkey == validator.ss58Address)
        #expect(verified.uid == 3)
        #expect(verified.synapse.name == "Echo")
        #expect(verified.timeoutSeconds == 12)
        #expect(SynapseJSON.object(verified.requestFields).jsonText == #"{"text":"hé \"q\"","ratio":1}"#)
        // Later requests from the same dendrite pass while their nonces increase.
        #expect(reason(verifier, try self.request(codec)) == nil)
        // A second codec has the same uuid but starts its nonces afresh: the same nonce is refused.
        #expect(reason(verifier, try self.request()) == .nonceNotIncreasing)
    }

    @Test func verifierRefusals() throws {
        let verifier = verifier()
        let accepted = try request()
        #expect(reason(verifier, accepted) == nil)
        #expect(reason(verifier, accepted) == .nonceNotIncreasing)  // replay
        #expect(reason(verifier, try request(to: stranger.ss58Address)) == .wrongReceiver)
        #expect(reason(verifier, try request(), path: "/Other") == .unknownSynapse)
        #expect(reason(verifier, try request(codec(stranger))) == .unknownSender)
        var tampered = try request()
        tampered.body = Array(String(decoding: tampered.body, as: UTF8.self).replacingOccurrences(of: "hé", with: "he").utf8)
        #expect(reason(verifier, tampered) == .bodyHashMismatch)
        var forged = try request()
        forged.headers = forged.headers.map { $0.name == "bt_header_dendrite_nonce" ? ($0.name, String(forged.nonce + 5)) : $0 }
        #expect(reason(verifier, forged) == .badSignature)
        var unsigned = try request()
        unsigned.headers.removeAll { $0.name == "bt_header_dendrite_signature" }
        #expect(reason(verifier, unsigned) == .unsigned)
        #expect(reason(self.verifier(permit: false), try request()) == .noValidatorPermit)
    }

    @Test func firstNonceWindowIsFourSecondsPlusTimeout() throws {
        let verifier = verifier(skew: 2)
        let fresh = try request(codec(uuid: "a"))
        let old = try request(codec(uuid: "b"))
        clock.advance(by: .seconds(15))  // 4 s + 12 s timeout not yet passed
        #expect(reason(verifier, fresh) == nil)
        clock.advance(by: .seconds(1.5))
        #expect(reason(verifier, old) == .staleNonce)
        // A raised timeout header widens the window only up to the policy's cap (it is not signed).
        var stretched = old
        stretched.headers = stretched.headers.map { $0.name == "timeout" ? ($0.name, "1e9") : $0 }
        #expect(reason(verifier, stretched) == nil)
        // A dendrite whose clock runs 3 s ahead, beyond the policy's 2 s.
        let aheadClock = ManualNodeClock(start: clock.now().addingTimeInterval(3))
        let ahead = try request(AxonSynapseCodec(keypair: validator, clock: aheadClock, uuid: "c"))
        #expect(reason(verifier, ahead) == .nonceFromFuture)
    }

    @Test func nonceTableEvictsOnlyWhatIsStaleAnyway() throws {
        let verifier = verifier(capacity: 2)
        #expect(reason(verifier, try request(codec(uuid: "a"))) == nil)
        #expect(reason(verifier, try request(codec(uuid: "b"))) == nil)
        #expect(reason(verifier, try request(codec(uuid: "c"))) == .tooManySenders)
        let replay = try request(codec(uuid: "a"))
        clock.advance(by: .seconds(305))
        #expect(reason(verifier, try request(codec(uuid: "c"))) == nil)
        #expect(reason(verifier, replay) == .staleNonce)
    }

    @Test func readsAxonReplies() throws {
        let success = AxonReply(httpStatus: 200, headers: [("bt_header_axon_status_code", "200"), ("bt_header_axon_status_message", "Success")],
                                body: Array(#"{"name":"Echo","timeout":12.0,"axon":{"status_code":200,"process_time":0.5},"text":"x","answer":"y"}"#.utf8))
        #expect(success.isSuccess)
        #expect(success.message == "Success")
        #expect(success.processTime == 0.5)
        #expect(success.responseJSON.map { String(decoding: $0, as: UTF8.self) } == #"{"text":"x","answer":"y"}"#)

        let refused = AxonReply(httpStatus: 401, headers: [("Bt_Header_Axon_Status_Code", "401")],
                                body: Array(#"{"message":"Not Verified with error: Nonce is too old"}"#.utf8))
        #expect(!refused.isSuccess)
        #expect(refused.status == 401)
        #expect(refused.message == "Not Verified with error: Nonce is too old")

        // Without headers the body's axon status decides; an unreadable 200 is no success.
        let inner = AxonReply(httpStatus: 200, headers: [], body: Array(#"{"axon":{"status_code":408,"status_message":"late"}}"#.utf8))
        #expect(inner.status == 408 && inner.message == "late" && !inner.isSuccess)
        let garbled = AxonReply(httpStatus: 200, headers: [], body: Array("<html>".utf8))
        #expect(!garbled.isSuccess && garbled.decodingError != nil)
    }

    @Test func axonResponsesRoundTripThroughTheReader() throws {
        let request = try request()
        let verified = try verifier().verify(path: request.path, headers: request.headers, body: request.body)
        let answer = try #require(try SynapseJSON.parse(#"{"answer":"ok","name":"ignored"}"#).objectValue)
        let response = AxonResponse.success(request: verified.request, answer: answer, processTime: 0.25)
        let reply = AxonReply(httpStatus: response.status, headers: response.headers, body: response.body)
        #expect(reply.isSuccess)
        #expect(reply.responseFields?["answer"] == .string("ok"))
        #expect(reply.synapse?["name"] == .string("Echo"))
        let refusal = AxonResponse.refusal(AxonRefusal(.staleNonce, "too old\nreally"))
        let read = AxonReply(httpStatus: refusal.status, headers: refusal.headers, body: refusal.body)
        #expect(read.status == 401 && read.message == "too old really")
    }
}
