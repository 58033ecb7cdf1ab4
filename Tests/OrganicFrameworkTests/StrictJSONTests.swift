import Foundation
import OrganicTestKit
import PropertyBased
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework
@testable import OrganicPluginAPI

/// Request bodies are RFC 8259 JSON in UTF-8, nothing more lenient.
@Suite("Strict JSON request bodies")
struct StrictJSONTests {
    static func accepts(_ text: String) -> Bool { (try? StrictJSON.validate(Array(text.utf8))) != nil }
    static func foundationAccepts(_ bytes: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil
    }

    @Test("what Foundation lets through and RFC 8259 does not is refused, with the offset")
    func lenientFormsAreRefused() throws {
        for text in [#"{"a":[1,2,]}"#, #"{"a":1,}"#, #"{"a":1,"a":2}"#, #"{"a":01}"#, #"{"a":NaN}"#, #"{"a":1} x"#, "{'a':1}",
                     #"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}", #"{"a":"\ud800"}"#, #"{"a":1 // c"#, "", "[", #"{"a":.5}"#, #"{"a":1.}"#,
                     #"{"a":-}"#, #"{"a":1e}"#, "\u{FEFF}{}", String(repeating: "[", count: 65) + String(repeating: "]", count: 65)] {
            #expect(!Self.accepts(text), "\(text.debugDescription)")
        }
        #expect(throws: StrictJSON.Violation(offset: 10, reason: "trailing comma")) { try StrictJSON.validate(Array(#"{"a":[1,2,]}"#.utf8)) }
        let utf16 = try #require("{\"a\":[1]}".data(using: .utf16))
        #expect((try? StrictJSON.validate(Array(utf16))) == nil, "UTF-16 with a byte-order mark")
        let utf16le = try #require("{\"a\":[1]}".data(using: .utf16LittleEndian))
        #expect((try? StrictJSON.validate(Array(utf16le))) == nil, "UTF-16 without one")
        for invalidUTF8: [UInt8] in [[0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22]] {
            #expect((try? StrictJSON.validate(invalidUTF8)) == nil, "\(invalidUTF8)")
        }
        for text in [#"{"a":[1,2],"b":{"c":null,"d":[true,false]},"e":-0.5e+3,"f":"\u00e9\ud83d\ude00\n"}"#, "[]", "{}", " 1 ", #""é🙂""#,
                     String(repeating: "[", count: 64) + String(repeating: "]", count: 64)] {
            #expect(Self.accepts(text), "\(text.debugDescription)")
        }
    }

    @Test("a repeated key is refused wherever it falls among many, kept in place or past the first eight, at the offset of the repeat")
    func repeatedKeysAmongMany() throws {
        for count in 1...12 {
            let names = (0..<count).map { "k\($0)" }
            let members = names.map { #""\#($0)":1"# }
            #expect(Self.accepts("{" + members.joined(separator: ",") + "}"), "\(count) distinct keys")
            // Same length, other bytes: not a repeat.
            #expect(Self.accepts("{" + (members + [#""kx":1"#]).joined(separator: ",") + "}"))
            for original in 0..<count {
                let prefix = "{" + members.joined(separator: ",") + ","
                let text = prefix + #""\#(names[original])":2}"#
                #expect(throws: StrictJSON.Violation(offset: prefix.utf8.count, reason: "repeated key")) {
                    try StrictJSON.validate(Array(text.utf8))
                }
            }
        }
    }

    @Test("long strings are checked at every position: the eight-byte fast path stops at each byte that needs attention")
    func longStringsAtEveryPosition() throws {
        let plain = Array(repeating: UInt8(ascii: "A"), count: 40)
        func quoted(_ inner: [UInt8]) -> [UInt8] { [0x22] + inner + [0x22] }
        #expect((try? StrictJSON.validate(quoted(plain))) != nil)
        for position in 0...plain.count {
            for bad: [UInt8] in [[0x00], [0x1F], [0x0A], [0x80], [0xFF], [0xC0, 0x80], [0xE2, 0x82], [0x5C, 0x78]] {
                var inner = plain
                inner.insert(contentsOf: bad, at: position)
                #expect((try? StrictJSON.validate(quoted(inner))) == nil, "\(bad) at \(position)")
            }
            for good: [UInt8] in [[0xC3, 0xA9], [0xF0, 0x9F, 0x99, 0x82], [0x5C, 0x2F], [0x5C, 0x22], [0x7F]] {
                var inner = plain
                inner.insert(contentsOf: good, at: position)
                #expect((try? StrictJSON.validate(quoted(inner))) != nil, "\(good) at \(position)")
            }
            // An unescaped quote ends the string early: what follows is not JSON.
            var early = plain
            early.insert(0x22, at: position)
            #expect((try? StrictJSON.validate(quoted(early))) == nil, "quote at \(position)")
        }
    }

    @Test("random JSON texts: accepted exactly when Foundation accepts them; a trailing comma is always refused")
    func agreesWithFoundationOnValidText() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let value = RandomJSON.value(&random, depth: Int.random(in: 0...3, using: &random))
            let text = Array(RandomJSON.text(value, &random).utf8)
            #expect(((try? StrictJSON.validate(text)) != nil) == Self.foundationAccepts(text), "\(String(decoding: text, as: UTF8.self))")
            // A comma before the closing bracket of a non-empty container.
            var closers: [Int] = []
            var inString = false, escaped = false
            for (i, byte) in text.enumerated() {
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}"),
                          let previous = text[..<i].last(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }),
                          previous != UInt8(ascii: "["), previous != UInt8(ascii: "{") {
                    closers.append(i)
                }
            }
            if Self.foundationAccepts(text), let closer = closers.randomElement(using: &random) {
                var trailing = text
                trailing.insert(UInt8(ascii: ","), at: closer)
                #expect((try? StrictJSON.validate(trailing)) == nil, "\(String(decoding: trailing, as: UTF8.self))")
            }
        }
    }

    @Test("random mutations: whatever the strict check accepts, Foundation reads too")
    func soundOnMutations() async {
        let seedText = Array(#"{"input":["a b","é\u00e9"],"dimensions":64,"x":[1.5e3,-0,null,true,{"y":"z"}]}"#.utf8)
        await propertyCheck(count: 400, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            var bytes = seedText
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let i = Int.random(in: 0..<max(bytes.count, 1), using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where !bytes.isEmpty: bytes[i] = UInt8.random(in: 0...255, using: &random)
                case 1 where !bytes.isEmpty: bytes.remove(at: i)
                default: bytes.insert(Array(#",:"[]{} 0e-"#.utf8).randomElement(using: &random) ?? 0x20, at: min(i, bytes.count))
                }
            }
            if (try? StrictJSON.validate(bytes)) != nil {
                #expect(Self.foundationAccepts(bytes), "\(bytes)")
            }
        }
    }

    @Test("the public API answers 415 to a body that is not declared JSON and 400 to lenient JSON")
    func publicAPIIsStrict() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            let client = TestHTTPClient(defaultHeaders: ["Authorization": "Bearer \(net.apiKey ?? "")"])
            let url = net.publicURL + "/v1/text-embeddings"
            let body = Data(#"{"input":["hello"],"dimensions":64}"#.utf8)
            let ok = try await client.post(url, raw: body)
            #expect(ok.status == 200, "\(ok.text)")
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16"] {
                let reply = try await client.post(url, raw: body, headers: ["Content-Type": contentType])
                #expect(reply.status == 415 && reply.text.contains("unsupported_media_type"), "\(contentType): \(reply.status)")
            }
            #expect(try await client.post(url, raw: body, headers: ["Content-Type": "application/json; charset=UTF-8"]).status == 200)
            let trailing = try await client.post(url, raw: Data(#"{"input":["hello"],"dimensions":64,}"#.utf8))
            #expect(trailing.status == 400 && trailing.text.contains("trailing comma"), "\(trailing.text)")
            let utf16 = try await client.post(url, raw: try #require(#"{"input":["hello"],"dimensions":64}"#.data(using: .utf16)))
            #expect(utf16.status == 400 && utf16.text.contains("invalid_json"), "\(utf16.text)")
            let repeated = try await client.post(url, raw: Data(#"{"input":["hello"],"dimensions":64,"dimensions":8}"#.utf8))
            #expect(repeated.status == 400 && repeated.text.contains("repeated key"))
        }
    }
}
