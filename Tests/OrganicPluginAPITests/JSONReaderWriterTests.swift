import Foundation
@testable import OrganicPluginAPI
import PropertyBased
import Testing

/// A record that reads and writes itself with every reader and writer call, beside its Codable
/// conformance: the two must agree on every document.
struct JSONSample: Codable, Equatable, JSONReadable, JSONWritable {
    var name: String
    var count: Int
    var ratio: Double
    var flag: Bool
    /// Left out when nil.
    var note: String?
    var tags: [String]
    var raw: [UInt8]
    /// Written as null when nil.
    var inner: Inner?

    struct Inner: Codable, Equatable, JSONReadable, JSONWritable {
        var score: Double
        /// No reader of its own: read and written through Codable.
        var labels: [String: Int]

        init(score: Double, labels: [String: Int]) {
            self.score = score
            self.labels = labels
        }

        init(json: JSONReader) throws {
            var score: Double?, labels: [String: Int]?
            try json.members { name, value in
                switch name {
                case "score": score = try value.double()
                case "labels": labels = try value.decode([String: Int].self)
                default: break
                }
            }
            guard let score else { throw json.missingMember("score") }
            guard let labels else { throw json.missingMember("labels") }
            self.init(score: score, labels: labels)
        }

        func write(json: inout JSONWriter) throws {
            try json.object { o in
                try o.member("score", score)
                try o.member("labels") { try $0.encode(labels) }
            }
        }
    }

    enum CodingKeys: String, CodingKey { case name, count, ratio, flag, note, tags, raw, inner }

    init(name: String, count: Int, ratio: Double, flag: Bool, note: String?, tags: [String], raw: [UInt8], inner: Inner?) {
        (self.name, self.count, self.ratio, self.flag, self.note, self.tags, self.raw, self.inner) = (name, count, ratio, flag, note, tags, raw, inner)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        count = try c.decode(Int.self, forKey: .count)
        ratio = try c.decode(Double.self, forKey: .ratio)
        flag = try c.decodeIfPresent(Bool.self, forKey: .flag) ?? false
        note = try c.decodeIfPresent(String.self, forKey: .note)
        tags = try c.decode([String].self, forKey: .tags)
        raw = try c.decodeIfPresent([UInt8].self, forKey: .raw) ?? []
        inner = try c.decodeIfPresent(Inner.self, forKey: .inner)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(count, forKey: .count)
        try c.encode(ratio, forKey: .ratio)
        try c.encode(flag, forKey: .flag)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encode(tags, forKey: .tags)
        try c.encode(raw, forKey: .raw)
        try c.encode(inner, forKey: .inner)
    }

    init(json: JSONReader) throws {
        var name: String?, count: Int?, ratio: Double?, flag: Bool?, note: String?
        var tags: [String]?, raw: [UInt8]?, inner: Inner?
        try json.members { member, value in
            switch member {
            case "name": name = try value.string()
            case "count": count = try value.int()
            case "ratio": ratio = try value.double()
            case "flag": flag = try value.optional { try $0.bool() }
            case "note": note = try value.optional { try $0.string() }
            case "tags": tags = try value.array { try $0.string() }
            case "raw": raw = try value.optional { try $0.bytes() }
            case "inner": inner = try value.optional { try Inner(json: $0) }
            default: break
            }
        }
        guard let name else { throw json.missingMember("name") }
        guard let count else { throw json.missingMember("count") }
        guard let ratio else { throw json.missingMember("ratio") }
        guard let tags else { throw json.missingMember("tags") }
        self.init(name: name, count: count, ratio: ratio, flag: flag ?? false, note: note, tags: tags, raw: raw ?? [], inner: inner)
    }

    func write(json: inout JSONWriter) throws {
        try json.object { o in
            o.member("name", name)
            o.member("count", count)
            try o.member("ratio", ratio)
            o.member("flag", flag)
            if let note { o.member("note", note) }
            o.member("tags") { $0.array(tags) { $0.string($1) } }
            o.member("raw") { $0.bytes(raw) }
            if let inner { try o.member("inner", inner) } else { o.nullMember("inner") }
        }
    }
}

@Suite("JSONReadable and JSONWritable: a type's own reader and writer")
struct JSONReaderWriterTests {
    /// Strings with what JSON escapes (quotes, backslashes, control characters), slashes and
    /// characters beyond ASCII.
    static func text(_ random: inout OrganicRandom) -> String {
        let pieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "жар", "🦀", "lighthouse", "0"]
        return (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined()
    }

    static func sample(_ random: inout OrganicRandom) -> JSONSample {
        let ratios: [Double] = [0, -0.0, 1, -1.2539062, 1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1, 123_456_789.125]
        let ratio = Bool.random(using: &random) ? ratios[Int.random(in: 0..<ratios.count, using: &random)]
            : Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &random) & 0x7FEF_FFFF_FFFF_FFFF)
        return JSONSample(
            name: text(&random),
            count: Bool.random(using: &random) ? Int.random(in: -1000...1000, using: &random) : Int.random(in: Int.min...Int.max, using: &random),
            ratio: ratio, flag: Bool.random(using: &random),
            note: Bool.random(using: &random) ? text(&random) : nil,
            tags: (0..<Int.random(in: 0...3, using: &random)).map { _ in text(&random) },
            raw: (0..<Int.random(in: 0...4, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) },
            inner: Bool.random(using: &random) ? .init(score: Double(Int.random(in: -50...50, using: &random)) / 8, labels: [text(&random): 1]) : nil)
    }

    @Test("the writer writes what Encodable writes, byte for byte; the reader reads it back as Decodable does")
    func agreesWithCodable() async {
        await propertyCheck(count: 500, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let value = Self.sample(&random)
            let codable = try DirectJSONEncoder().encode(value)
            var own: [UInt8] = []
            try TypedJSONEncoder<JSONSample>().encode(value, into: &own)
            #expect(own == codable, "\(String(decoding: own, as: UTF8.self))")
            let read = try TypedJSONDecoder<JSONSample>().decode(codable)
            #expect(read == value)
            #expect(read.ratio.bitPattern == value.ratio.bitPattern)
            #expect(try JSONDecoder().decode(JSONSample.self, from: Data(codable)) == value)
        }
    }

    @Test("edited documents (a member removed, null, of another kind): the reader accepts what Decodable accepts, with the same value, and refuses the rest with the same error")
    func editedDocumentsAgree() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let document = try DirectJSONEncoder().encode(Self.sample(&random))
            let variants = JSONDocumentVariants.of(document)
            #expect(variants.count >= 8 * 2)
            for variant in variants {
                let shown = String(decoding: variant, as: UTF8.self)
                let codable = Result { try TapeJSONDecoder().decode(JSONSample.self, from: variant) }
                let own = Result { try TypedJSONDecoder<JSONSample>().decode(variant) }
                switch (codable, own) {
                case (.success(let expected), .success(let read)):
                    #expect(read == expected, "\(shown)")
                case (.failure(let expected), .failure(let thrown)):
                    #expect(Self.summary(thrown) == Self.summary(expected), "\(shown)")
                default:
                    Issue.record("Decodable: \(codable), reader: \(own), for \(shown)")
                }
            }
        }
    }

    /// A decoding error's kind and coding path (descriptions differ in their wording of types).
    static func summary(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not a DecodingError: \(error)" }
        func path(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context): return "mismatch at \(path(context.codingPath))"
        case .valueNotFound(_, let context): return "null at \(path(context.codingPath))"
        case .dataCorrupted(let context): return "corrupted at \(path(context.codingPath))"
        @unknown default: return "unknown"
        }
    }

    @Test("member names match in place, escaped or not; unknown members are skipped")
    func memberNames() throws {
        let text = #"{"n\u0061me":"x","count":1,"ratio":2.5,"extra":{"deep":[1,{"a":null}]},"tags":[],"inner":null}"#
        let read = try TypedJSONDecoder<JSONSample>().decode(Array(text.utf8))
        #expect(read == JSONSample(name: "x", count: 1, ratio: 2.5, flag: false, note: nil, tags: [], raw: [], inner: nil))
    }

    @Test("a reader's error names the path of the value at fault")
    func errorPaths() throws {
        let text = #"{"name":"x","count":1,"ratio":2.5,"tags":["a",3]}"#
        #expect(throws: DecodingError.self) { try TypedJSONDecoder<JSONSample>().decode(Array(text.utf8)) }
        do {
            _ = try TypedJSONDecoder<JSONSample>().decode(Array(text.utf8))
        } catch {
            #expect(Self.summary(error) == "mismatch at tags.1")
        }
        let missing = #"{"name":"x","count":1,"tags":[]}"#
        do {
            _ = try TypedJSONDecoder<JSONSample>().decode(Array(missing.utf8))
            Issue.record("a document without ratio was read")
        } catch {
            #expect(Self.summary(error) == "missing ratio")
        }
    }

    @Test("a number JSON cannot hold is refused, and the buffer is left as it was")
    func nonFiniteNumbers() throws {
        var value = JSONSample(name: "x", count: 1, ratio: .nan, flag: true, note: nil, tags: [], raw: [], inner: nil)
        var bytes = Array("prefix".utf8)
        #expect(throws: EncodingError.self) { try TypedJSONEncoder<JSONSample>().encode(value, into: &bytes) }
        #expect(bytes == Array("prefix".utf8))
        value.ratio = .infinity
        #expect(throws: EncodingError.self) { try TypedJSONEncoder<JSONSample>().encode(value, into: &bytes) }
        #expect(bytes == Array("prefix".utf8))
    }

    @Test("edited copies of a document: each member removed, set to null and set to another kind")
    func documentVariants() {
        let variants = JSONDocumentVariants.of(Array(#"{"a":1,"b":[{"c":"x"}],"d":null}"#.utf8)).map { String(decoding: $0, as: UTF8.self) }
        #expect(variants == [
            #"{"b":[{"c":"x"}],"d":null}"#, #"{"a":null,"b":[{"c":"x"}],"d":null}"#, #"{"a":"x","b":[{"c":"x"}],"d":null}"#,
            #"{"a":1,"d":null}"#, #"{"a":1,"b":null,"d":null}"#, #"{"a":1,"b":"x","d":null}"#,
            #"{"a":1,"b":[{"c":"x"}]}"#, #"{"a":1,"b":[{"c":"x"}],"d":"x"}"#,
            #"{"a":1,"b":[{}],"d":null}"#, #"{"a":1,"b":[{"c":null}],"d":null}"#, #"{"a":1,"b":[{"c":7}],"d":null}"#,
        ])
        #expect(JSONDocumentVariants.of(Array("not json".utf8)).isEmpty)
    }
}
