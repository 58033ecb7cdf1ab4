import Foundation
import PropertyBased
import Testing
@testable import OrganicFramework

@Suite("fiber wire format")
struct FiberWireTests {
    @Test("nonce: <time_ns>_<10 letters or digits>, different each time")
    func nonce() {
        let a = FiberWire.nonce(nowNanoseconds: 1_764_000_000_123_456_789)
        #expect(a.wholeMatch(of: /1764000000123456789_[A-Za-z0-9]{10}/) != nil)
        #expect(a != FiberWire.nonce(nowNanoseconds: 1_764_000_000_123_456_789))
    }

    @Test("signed messages: 1.x nonce:miner:uuid, 2.x nonce:miner:sha256(body)")
    func messages() {
        #expect(FiberWire.message(nonce: "1_a", minerHotkey: "5M", symmetricKeyUUID: "ab") == "1_a:5M:ab")
        #expect(FiberWire.message(nonce: "1_a", minerHotkey: "5M", body: Array("abc".utf8))
            == "1_a:5M:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FiberWire.message(nonce: "1_a", minerHotkey: "5M", body: [])
            == "1_a:5M:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("headers: names, content type and a signature that verifies over the exact message")
    func headers() throws {
        let keypair = try FiberMinerPeer.randomKeypair()
        let v1 = Dictionary(uniqueKeysWithValues: FiberWire.signedHeaders(
            version: .v1, keypair: keypair, minerHotkey: "5Miner", nonce: "7_x", symmetricKeyUUID: "u",
            contentType: "application/octet-stream").map { ($0.name, $0.value) })
        #expect(Set(v1.keys) == ["Content-Type", "symmetric-key-uuid", "validator-hotkey", "miner-hotkey", "nonce", "signature"])
        #expect(v1["validator-hotkey"] == keypair.ss58Address)
        let signature = try #require(v1["signature"])
        #expect(signature.hasPrefix("0x") && signature.count == 130)
        #expect(FiberWire.verify(signature: signature, message: "7_x:5Miner:u", signerSS58: keypair.ss58Address))
        #expect(FiberWire.verify(signature: String(signature.dropFirst(2)), message: "7_x:5Miner:u", signerSS58: keypair.ss58Address))
        #expect(!FiberWire.verify(signature: signature, message: "7_x:5Other:u", signerSS58: keypair.ss58Address))

        let body = Array(#"{"a": 1}"#.utf8)
        let v2 = Dictionary(uniqueKeysWithValues: FiberWire.signedHeaders(
            version: .v2, keypair: keypair, minerHotkey: "5Miner", nonce: "7_x", body: body,
            contentType: "application/json").map { ($0.name, $0.value) })
        #expect(Set(v2.keys) == ["Content-Type", "validator-hotkey", "miner-hotkey", "nonce", "signature"])
        #expect(FiberWire.verify(signature: try #require(v2["signature"]),
                                 message: FiberWire.message(nonce: "7_x", minerHotkey: "5Miner", body: body),
                                 signerSS58: keypair.ss58Address))
    }

    @Test("payload nonce: appended to JSON objects (last, so it wins as in Python), other bodies unchanged")
    func payloadNonce() throws {
        func added(_ text: String) -> String {
            String(decoding: FiberWire.addingPayloadNonce(Array(text.utf8), nonce: "1_N"), as: UTF8.self)
        }
        #expect(added("{}") == #"{"nonce": "1_N"}"#)
        #expect(added(" { \n } ") == " { \n \"nonce\": \"1_N\"} ")
        #expect(added(#"{"a": 1}"#) == #"{"a": 1, "nonce": "1_N"}"#)
        #expect(added("[1]") == "[1]")
        #expect(added("") == "")
        let overridden = try JSONSerialization.jsonObject(with: Data(added(#"{"nonce": "mine", "b": [1]}"#).utf8)) as? [String: Any]
        #expect(overridden?["nonce"] as? String == "1_N")
    }

    @Test("payload nonce keeps any JSON object valid")
    func payloadNonceProperty() async {
        let keys = Gen.int(in: 97...122).map { Character(Unicode.Scalar(UInt8($0))) }.string(of: 1...6)
        await propertyCheck(input: keys.array(of: 0...5), Gen.int(in: 0...3)) { names, spaces in
            let fields = Set(names).subtracting(["nonce"])
            let padding = String(repeating: " ", count: spaces)
            let object = padding + "{" + fields.map { "\"\($0)\": [\(padding)1]" }.joined(separator: ",") + padding + "}" + padding
            let out = FiberWire.addingPayloadNonce(Array(object.utf8), nonce: "5_abc")
            let parsed = try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any]
            #expect(parsed?["nonce"] as? String == "5_abc")
            #expect(parsed?.count == fields.count + 1)
        }
    }

    @Test("handshake pieces: exchange body, key uuid, RSA-OAEP-SHA256 to a PEM key")
    func handshakePieces() throws {
        let body = FiberHandshake.exchangeBody(encryptedKey: [0xfb, 0xff, 0x00])
        #expect(String(decoding: body, as: UTF8.self) == #"{"encrypted_symmetric_key": "+/8A"}"#)
        let uuid = FiberHandshake.newKeyUUID()
        #expect(uuid.wholeMatch(of: /[0-9a-f]{64}/) != nil)
        #expect(throws: FiberError.self) { try FiberHandshake.encryptKey(Array(repeating: 1, count: 32), toPEM: "not a key") }
    }
}
