import Foundation
@testable import OrganicCrypto
@testable import OrganicFramework
import Testing

/// The nonces the node's request signers sign with: each handed out once, made ahead of need.
@Suite("Signing nonce reserve")
struct SigningNonceReserveTests {
    let keypair: Sr25519Keypair

    init() throws {
        keypair = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 11, count: 32))
    }

    @Test("nonces taken at once by many callers are all different, even with a random source stuck on one value")
    func everyNonceOnce() async throws {
        let reserve = SigningNonceReserve(keypair: keypair, capacity: 16, randomBytes: { [UInt8](repeating: 0, count: $0) })
        let commitments = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<250).map { _ in reserve.take().commitment } }
            }
            return await group.reduce(into: [[UInt8]]()) { $0 += $1 }
        }
        #expect(commitments.count == 2000)
        #expect(Set(commitments).count == 2000)
    }

    @Test("two reserves of one key (a btauth and an Epistula signer) never make the same nonce, even with a stuck random source")
    func reservesOfOneKeyDiffer() {
        let stuck: @Sendable (Int) -> [UInt8] = { [UInt8](repeating: 0, count: $0) }
        let first = SigningNonceReserve(keypair: keypair, capacity: 0, randomBytes: stuck)
        let second = SigningNonceReserve(keypair: keypair, capacity: 0, randomBytes: stuck)
        let commitments = (0..<100).flatMap { _ in [first.take().commitment, second.take().commitment] }
        #expect(Set(commitments).count == 200)
    }

    @Test("a reserve refills itself to its capacity after a nonce is taken, and its nonces sign verifiable requests")
    func refillsAndSigns() async throws {
        let reserve = SigningNonceReserve(keypair: keypair, capacity: 8)
        #expect(reserve.available == 0)
        let message = Array("btauth/1 payload".utf8)
        let first = keypair.sign(message, nonce: reserve.take())
        #expect(Sr25519.verify(signature: first, message: message, publicKey: keypair.publicKey))
        let deadline = ContinuousClock.now + .seconds(10)
        while reserve.available < 8, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(reserve.available == 8)
        for _ in 0..<8 {
            let signature = keypair.sign(message, nonce: reserve.take())
            #expect(Sr25519.verify(signature: signature, message: message, publicKey: keypair.publicKey))
        }
    }

    @Test("a request signer's headers verify with nonces from its reserve, request after request")
    func signerHeadersVerify() throws {
        let signer = BTAuthRequestSigner(keypair: keypair)
        let receiver = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 12, count: 32)).ss58Address
        var signatures = Set<String>()
        for n in 0..<100 {
            let body = Array("{\"n\":\(n)}".utf8)
            let headers = signer.headers(method: "POST", pathAndQuery: "/text-embeddings", body: body, receiverHotkey: receiver)
            let value = { (name: String) in headers.first { $0.name.lowercased() == name.lowercased() }?.value }
            let signature = try #require(value(BTAuth.headerSignature))
            let nonce = try #require(value(BTAuth.headerNonce).flatMap(UInt64.init))
            let payload = BTAuthMessage.canonical(scheme: .sr25519, method: "POST", pathAndQuery: "/text-embeddings", body: body,
                                                  nonceNanoseconds: nonce, senderSS58: signer.hotkey, receiverSS58: receiver)
            let raw = try Hex.decode(String(signature.dropFirst(signature.hasPrefix("0x") ? 2 : 0)))
            #expect(Sr25519.verify(signature: raw, message: payload, publicKey: keypair.publicKey))
            signatures.insert(signature)
        }
        #expect(signatures.count == 100)
    }
}
