import Foundation
import OrganicTestKit
import PropertyBased
import Testing
@testable import OrganicFramework

/// Fernet against the fernet/spec vectors, properties, and Python's `cryptography.fernet`.
@Suite("Fernet")
struct FernetTests {
    // fernet/spec generate.json, verify.json and invalid.json (all share this secret).
    static let secret = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
    static let specToken = "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="

    static func date(_ iso: String) -> Date {
        ISO8601DateFormatter().date(from: iso)!
    }

    @Test("generate.json: the spec's token, byte for byte")
    func specGenerate() throws {
        let fernet = try Fernet(base64Key: Self.secret)
        let token = fernet.encrypt(Array("hello".utf8), at: Self.date("1985-10-26T01:20:00-07:00"), iv: Array(0...15))
        #expect(token == Self.specToken)
    }

    @Test("verify.json: decrypts within its 60 s TTL")
    func specVerify() throws {
        let fernet = try Fernet(base64Key: Self.secret)
        let plain = try fernet.decrypt(Self.specToken, ttl: .seconds(60), now: Self.date("1985-10-26T01:20:01-07:00"))
        #expect(plain == Array("hello".utf8))
    }

    @Test("invalid.json: every token is refused, for the reason it was made for",
          arguments: [
              ("incorrect mac", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==",
               "1985-10-26T01:20:01-07:00", FernetError.badSignature),
              ("too short", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==",
               "1985-10-26T01:20:01-07:00", .malformedToken),
              ("invalid base64", "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
               "1985-10-26T01:20:01-07:00", .malformedToken),
              ("payload size not multiple of block size", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm",
               "1985-10-26T01:20:01-07:00", .malformedToken),
              ("payload padding error", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==",
               "1985-10-26T01:20:01-07:00", .decryptionFailed),
              ("far-future TS (unacceptable clock skew)", "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==",
               "1985-10-26T01:20:01-07:00", .fromTheFuture),
              ("expired TTL", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
               "1985-10-26T01:21:31-07:00", .expired),
              ("incorrect IV (causes padding error)", "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==",
               "1985-10-26T01:20:01-07:00", .decryptionFailed),
          ])
    func specInvalid(_ vector: (String, String, String, FernetError)) throws {
        let (description, token, now, expected) = vector
        let fernet = try Fernet(base64Key: Self.secret)
        #expect(throws: expected, "\(description)") {
            try fernet.decrypt(token, ttl: .seconds(60), now: Self.date(now))
        }
    }

    @Test("keys: 32 bytes of base64url; the standard alphabet too (fiber's validator writes it); anything else refused")
    func keys() throws {
        let fernet = try Fernet(base64Key: Self.secret)
        #expect(fernet.base64Key == Self.secret)
        let standard = Self.secret.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        #expect(try Fernet(base64Key: standard).key == fernet.key)
        #expect(try Fernet(base64Key: String(Self.secret.dropLast())).key == fernet.key, "padding is optional")
        for bad in ["", "c2hvcnQ=", Self.secret + "AAAA", "%w_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="] {
            #expect(throws: FernetError.invalidKey) { try Fernet(base64Key: bad) }
        }
        #expect(throws: FernetError.invalidKey) { try Fernet(key: Array(repeating: 0, count: 16)) }
        #expect(Fernet.generate().key != Fernet.generate().key)
    }

    @Test("tokens: version byte, timestamp, fresh IV per token")
    func tokenLayout() throws {
        let fernet = Fernet.generate()
        let time = Date(timeIntervalSince1970: 1_800_000_000.7)
        let a = fernet.encrypt(Array("same".utf8), at: time)
        let b = fernet.encrypt(Array("same".utf8), at: time)
        #expect(a != b, "a random IV each time")
        #expect(a.hasPrefix("gAAAAA"))
        #expect(Fernet.timestamp(of: Array(a.utf8)) == 1_800_000_000)
        #expect(throws: FernetError.unsupportedVersion(0x81)) {
            var data = Base64URL.decode(a, acceptingStandardAlphabet: false)!
            data[0] = 0x81
            return try fernet.decrypt(Array(Base64URL.encode(data).utf8))
        }
    }

    @Test("round trip for any key and plaintext")
    func roundTrip() async {
        await propertyCheck(input: Gen.uint8().array(of: 32...32), Gen.uint8().array(of: 0...300)) { key, plaintext in
            let fernet = try Fernet(key: key)
            let token = fernet.encrypt(plaintext)
            #expect(try fernet.decrypt(token) == plaintext)
            #expect(try Fernet(base64Key: fernet.base64Key).decrypt(token, ttl: .seconds(60)) == plaintext)
        }
    }

    @Test("any changed byte of a token is refused")
    func tamper() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...100), Gen.int(in: 0...10_000), Gen.uint8(in: 1...255)) { plaintext, position, flip in
            let fernet = Fernet.generate()
            var data = Base64URL.decode(fernet.encrypt(plaintext), acceptingStandardAlphabet: false)!
            data[position % data.count] ^= flip
            #expect(throws: FernetError.self) { try fernet.decrypt(Array(Base64URL.encode(data).utf8)) }
        }
    }

    @Test("another key is refused by the HMAC before any decryption")
    func wrongKey() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...100)) { plaintext in
            let token = Fernet.generate().encrypt(plaintext)
            #expect(throws: FernetError.badSignature) { try Fernet.generate().decrypt(token) }
        }
    }

    @Test("TTL: refused once stamp + ttl < now (whole seconds), or when stamped over 60 s ahead; no TTL, no check")
    func ttl() async {
        await propertyCheck(input: Gen.int(in: 0...200), Gen.int(in: -100...300)) { ttl, age in
            let fernet = Fernet.generate()
            let stamped = Date(timeIntervalSince1970: 1_700_000_000)
            let token = fernet.encrypt(Array("x".utf8), at: stamped)
            let now = stamped.addingTimeInterval(Double(age) + 0.5)
            let result = Result { () throws(FernetError) in try fernet.decrypt(token, ttl: .seconds(ttl), now: now) }
            if age > ttl {
                #expect(throws: FernetError.expired) { try result.get() }
            } else if -age > 60 {
                #expect(throws: FernetError.fromTheFuture) { try result.get() }
            } else {
                #expect((try? result.get()) == Array("x".utf8))
            }
            #expect((try? fernet.decrypt(token, now: now)) == Array("x".utf8), "no TTL, no time check")
        }
    }

    @Test("Python's cryptography.fernet decrypts our tokens and we decrypt its own, TTL included",
          .enabled(if: FernetPython.python != nil, "no Python with `cryptography` ($ORGANIC_PYTHON_FIBER1/2 from scripts/test.sh)"))
    func pythonCrossCheck() async throws {
        let python = try #require(FernetPython.python)
        var decrypt: [[String: Any]] = []
        var expected: [String?] = []
        var encrypt: [[String: Any]] = []
        var keys: [Fernet] = []
        var plaintexts: [[UInt8]] = []
        var generator = SystemRandomNumberGenerator()
        for index in 0..<40 {
            let fernet = Fernet.generate()
            let plaintext = (0..<(index * 13)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let stamped = Date(timeIntervalSince1970: 1_700_000_000 + Double(index))
            let token = fernet.encrypt(plaintext, at: stamped)
            decrypt.append(["key": fernet.base64Key, "token": token, "ttl": NSNull(), "now": NSNull()])
            expected.append(Hex.encode(plaintext))
            // Python's TTL check agrees with ours on both sides of the limit.
            decrypt.append(["key": fernet.base64Key, "token": token, "ttl": 10, "now": 1_700_000_010 + index])
            expected.append(Hex.encode(plaintext))
            decrypt.append(["key": fernet.base64Key, "token": token, "ttl": 10, "now": 1_700_000_011 + index])
            expected.append(nil)
            // Another key: refused there too.
            decrypt.append(["key": Fernet.generate().base64Key, "token": token, "ttl": NSNull(), "now": NSNull()])
            expected.append(nil)
            encrypt.append(["key": fernet.base64Key, "plaintext": Hex.encode(plaintext), "time": 1_700_000_000 + index])
            keys.append(fernet)
            plaintexts.append(plaintext)
        }
        let input = try JSONSerialization.data(withJSONObject: ["decrypt": decrypt, "encrypt": encrypt])
        let run = try await ChildProcess.run(python, [FernetPython.script], stdin: input)
        try #require(run.status == 0, "fernet_check.py failed: \(run.errorText)")
        let output = try #require(try JSONSerialization.jsonObject(with: run.output) as? [String: Any])
        let decrypted = try #require(output["decrypted"] as? [Any]).map { $0 as? String }
        #expect(decrypted == expected)
        let tokens = try #require(output["tokens"] as? [String])
        for (index, token) in tokens.enumerated() {
            #expect(try keys[index].decrypt(token) == plaintexts[index])
            #expect(Fernet.timestamp(of: Array(token.utf8)) == UInt64(1_700_000_000 + index))
            #expect(throws: FernetError.expired) {
                try keys[index].decrypt(token, ttl: .seconds(5), now: Date(timeIntervalSince1970: Double(1_700_000_006 + index)))
            }
        }
    }
}

/// A Python with `cryptography` (the fiber test venvs have it) and Tests/Fixtures/fernet_check.py.
enum FernetPython {
    static let python: String? = {
        let environment = ProcessInfo.processInfo.environment
        return ["ORGANIC_PYTHON_FIBER1", "ORGANIC_PYTHON_FIBER2"].lazy.compactMap { environment[$0] }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fernet_check.py").path
}
