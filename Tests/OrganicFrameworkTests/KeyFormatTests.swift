import Foundation
@testable import OrganicFramework
import PropertyBased
import Testing

@Suite("API key format")
struct KeyFormatTests {
    @Test("generated keys are well formed, distinct and carry at least 128 random bits")
    func generated() {
        var seen = Set<String>()
        for _ in 0..<500 {
            let key = APIKeyFormat.generate()
            #expect(key.hasPrefix("org_live_"))
            #expect(key.utf8.count == APIKeyFormat.length)
            #expect(APIKeyFormat.validate(key) == nil)
            seen.insert(key)
        }
        #expect(seen.count == 500)
        // 33 base58 characters hold 24 random bytes: 192 bits.
        #expect(APIKeyFormat.secretBytes * 8 >= 128)
    }

    @Test("any single changed character of a key is refused without a lookup")
    func singleCharacterChanges() async {
        let key = Array(APIKeyFormat.generate().utf8)
        await propertyCheck(input: Gen.int(in: APIKeyFormat.prefix.utf8.count...(key.count - 1)), Gen.int(in: 0...57)) { position, digit in
            var changed = key
            let replacement = APIKeyFormat.alphabet[digit]
            guard changed[position] != replacement else { return }
            changed[position] = replacement
            #expect(APIKeyFormat.validate(String(decoding: changed, as: UTF8.self)) != nil)
        }
    }

    @Test("hostile inputs are malformed, not errors")
    func hostile() {
        let key = APIKeyFormat.generate()
        #expect(APIKeyFormat.validate("") == .wrongLength)
        #expect(APIKeyFormat.validate(key + "x") == .wrongLength)
        #expect(APIKeyFormat.validate(String(key.dropLast())) == .wrongLength)
        #expect(APIKeyFormat.validate("org_test_" + key.dropFirst(9)) == .wrongPrefix)
        #expect(APIKeyFormat.validate(String(key.prefix(20)) + "0" + key.dropFirst(21)) == .invalidCharacter)
        let sql = "org_live_' OR 1=1; DROP TABLE api_keys; --"
        #expect(APIKeyFormat.validate(sql + String(repeating: "a", count: max(0, APIKeyFormat.length - sql.utf8.count))) != nil)
        #expect(APIKeyFormat.validate("org_live_" + String(repeating: "é", count: 19) + "a") != nil)
        #expect(APIKeyFormat.validate(String(repeating: "x", count: 10_000)) == .wrongLength)
    }

    @Test("digests round-trip through their stored bytes and compare equal only to themselves")
    func digests() {
        let a = APIKeyFormat.hash(of: APIKeyFormat.generate()), b = APIKeyFormat.hash(of: APIKeyFormat.generate())
        #expect(KeyDigest(bytes: a.bytes) == a)
        #expect(a.constantTimeEquals(a))
        #expect(!a.constantTimeEquals(b))
        // SHA-256("abc"), a published test vector.
        #expect(APIKeyFormat.hash(of: "abc").bytes.map { String(format: "%02x", $0) }.joined()
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("rate limits parse from their written form and print back")
    func ruleParsing() {
        #expect(RateLimitRule(parsing: "10/s") == RateLimitRule(limit: 10, periodSeconds: 1))
        #expect(RateLimitRule(parsing: "1000/day") == RateLimitRule(limit: 1000, periodSeconds: 86_400))
        #expect(RateLimitRule(parsing: "60/min") == RateLimitRule(limit: 60, periodSeconds: 60))
        #expect(RateLimitRule(parsing: "5/10s") == RateLimitRule(limit: 5, periodSeconds: 10))
        #expect(RateLimitRule(parsing: "text-embeddings:2/h") == RateLimitRule(limit: 2, periodSeconds: 3600, endpoint: "text-embeddings"))
        for bad in ["", "10", "0/s", "-1/s", "10/fortnight", "x/s", "10/s/s", "a b:1/s", "1/0s", "'; DROP TABLE x;--:1/s"] {
            #expect(RateLimitRule(parsing: bad) == nil, "\(bad)")
        }
        for text in ["10/s", "1000/day", "60/min", "5/10s", "text-embeddings:2/h", "7/month"] {
            #expect(RateLimitRule(parsing: text)?.description == text)
        }
    }

    @Test("credits are held exactly in thousandths")
    func credits() {
        var total = Credits.zero
        for _ in 0..<10 { total.millis += Credits(0.1)?.millis ?? 0 }
        #expect(total == Credits(1))
        #expect(Credits(0.2)?.description == "0.2")
        #expect(Credits(-1.5)?.description == "-1.5")
        #expect(Credits(.nan) == nil)
    }
}
