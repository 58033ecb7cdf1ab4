import Testing
@testable import OrganicCrypto

@Suite("btauth/1")
struct BTAuthTests {
    @Test func canonicalMatchesBittensorBuildPayload() throws {
        for f in Fixtures.btauth {
            let scheme = try #require(BTAuth.Scheme(headerValue: f.scheme))
            let payload = BTAuthMessage.canonical(
                scheme: scheme, method: f.method, pathAndQuery: f.path, body: try Hex.decode(f.body),
                nonceNanoseconds: f.nonce, senderSS58: f.sender, receiverSS58: f.receiver)
            #expect(Hex.encode(payload) == f.payload)
        }
    }

    @Test func layout() {
        let p = BTAuthMessage.canonical(method: "get", pathAndQuery: "/x?y=1", body: [],
                                        nonceNanoseconds: 42, senderSS58: "S", receiverSS58: nil)
        let text = String(decoding: p, as: UTF8.self)
        #expect(text == "btauth/1\nsr25519\nGET\n/x?y=1\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n42\nS\n-")
    }

    @Test func signedHeadersVerify() throws {
        let kp = try Sr25519Keypair(miniSecretSeedHex: "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a")
        let body = Array("{\"a\":1}".utf8)
        let headers = BTAuthMessage.signedHeaders(keypair: kp, method: "POST", pathAndQuery: "/score", body: body,
                                                  nonceNanoseconds: 1_700_000_000_000_000_000, receiverSS58: SS58Tests.bobSS58)
        let dict = Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) })
        #expect(dict[BTAuth.headerVersion] == "1")
        #expect(dict[BTAuth.headerCrypto] == nil)
        #expect(dict[BTAuth.headerHotkey] == SS58Tests.aliceSS58)
        #expect(dict[BTAuth.headerReceiver] == SS58Tests.bobSS58)
        let sigHex = try #require(dict[BTAuth.headerSignature])
        #expect(sigHex.hasPrefix("0x") && sigHex.count == 130)
        let payload = BTAuthMessage.canonical(method: "POST", pathAndQuery: "/score", body: body,
                                              nonceNanoseconds: 1_700_000_000_000_000_000,
                                              senderSS58: SS58Tests.aliceSS58, receiverSS58: SS58Tests.bobSS58)
        #expect(Sr25519.verify(signature: try Hex.decode(sigHex), message: payload, publicKey: kp.publicKey))
    }

    @Test func schemeHeaderParsing() {
        #expect(BTAuth.Scheme(headerValue: " SR25519 ") == .sr25519)
        #expect(BTAuth.Scheme(headerValue: "0") == .ed25519)
        #expect(BTAuth.Scheme(headerValue: "ecdsa") == nil)
    }
}
