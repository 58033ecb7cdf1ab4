import Foundation
@testable import OrganicFramework
@testable import OrganicPluginAPI
import PropertyBased
import Testing

/// The node writes answers, stream events and miner requests with ``DirectJSONEncoder``; callers
/// and miners must get what Foundation's `JSONEncoder` would have written.
@Suite("DirectJSONEncoder")
struct DirectJSONEncoderTests {
    typealias Everything = TapeJSONDecoderTests.Everything

    /// A random JSON document as a Swift value (objects with string keys, arrays, leaves).
    static func document(_ random: inout OrganicRandom, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth >= 3 ? 5 : 7), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .integer(Int.random(in: .min ... .max, using: &random))
        case 3: return .number(RandomJSON.float(&random))
        case 4: return .string(RandomJSON.string(&random))
        case 5: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in document(&random, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) { object[RandomJSON.string(&random, maxLength: 6)] = document(&random, depth: depth + 1) }
            return .object(object)
        }
    }

    static func direct<T: Encodable>(_ value: T) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        return try DirectJSONEncoder().appendDirectly(value, to: &bytes) ? bytes : nil
    }

    @Test("random values of every field kind are written directly, as strict JSON that Foundation reads back as the same value, floats bit for bit")
    func roundTrips() async throws {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let value = TapeJSONDecoderTests.everything(&random)
            let bytes = try #require(try Self.direct(value), "written without falling back to Foundation")
            try StrictJSON.validate(bytes)
            let read = try JSONDecoder().decode(Everything.self, from: Data(bytes))
            #expect(read == value)
            #expect(read.vector.map(\.bitPattern) == value.vector.map(\.bitPattern))
            #expect(read.doubles.map(\.bitPattern) == value.doubles.map(\.bitPattern))
        }
    }

    @Test("numbers and strings are byte for byte Foundation's: shortest round-trip floats without a trailing .0, its escapes, base64 data, URLs")
    func scalarsMatchFoundationBytes() async throws {
        await propertyCheck(count: 300, input: Gen.uint64()) { (seed: UInt64) async throws in
            var random = OrganicRandom(seed: seed)
            let doubles = (0..<20).map { _ in RandomJSON.float(&random) }
            let floats = doubles.map(Float.init).filter(\.isFinite)
            let strings = (0..<8).map { _ in RandomJSON.string(&random, maxLength: 24) }
            // Every length of number, not only the 19-digit ones a uniform draw nearly always gives.
            let integers = (0..<8).map { _ in Int64.random(in: .min ... .max, using: &random) >> Int64.random(in: 0...63, using: &random) }
            let unsigned = (0..<4).map { _ in UInt64.random(in: .min ... .max, using: &random) >> UInt64.random(in: 0...63, using: &random) }
            let blob = Data((0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            func same<T: Encodable>(_ value: T) throws -> Bool { try Self.direct(value) == Array(DirectJSONEncoder.foundation.encode(value)) }
            #expect(try same(doubles))
            #expect(try same(floats))
            #expect(try same(strings))
            #expect(try same(integers))
            #expect(try same(unsigned))
            #expect(try same([blob]))
            // Through the generic paths too (a single key, so that Foundation's key order does not matter).
            #expect(try same(["k/\(strings[0])": doubles[0]]))
        }
        // Integer edges: one digit and two, the extremes of each width.
        #expect(try Self.direct([Int64.min, -10, -9, -1, 0, 9, 10, 99, 100, Int64.max]) ==
                Array(DirectJSONEncoder.foundation.encode([Int64.min, -10, -9, -1, 0, 9, 10, 99, 100, Int64.max])))
        #expect(try Self.direct([UInt64.max, 0]) == Array(DirectJSONEncoder.foundation.encode([UInt64.max, 0])))
        #expect(try Self.direct([Int8.min, Int8.max]) == Array(DirectJSONEncoder.foundation.encode([Int8.min, Int8.max])))
        let url = try #require(URL(string: "https://example.com/a b?c=d&e=/f"))
        let date = Date(timeIntervalSinceReferenceDate: 12.5)
        #expect(try Self.direct([url]) == Array(DirectJSONEncoder.foundation.encode([url])))
        #expect(try Self.direct([date]) == Array(DirectJSONEncoder.foundation.encode([date])))
    }

    @Test("long strings: escapes at every position of the eight-byte fast path, slashes as they are, UTF-8 kept")
    func longStringsAtEveryPosition() throws {
        let plain = String(repeating: "b", count: 40)
        for position in 0...40 {
            for inserted in ["\"", "\\", "/", "\n", "\u{1}", "\u{1F}", "é", "🙂", "\u{7F}"] {
                var text = plain
                text.insert(contentsOf: inserted, at: text.index(text.startIndex, offsetBy: position))
                let bytes = try #require(try Self.direct([text]))
                #expect(try bytes == Array(DirectJSONEncoder.foundation.encode([text])), "\(inserted.debugDescription) at \(position)")
                #expect(try JSONDecoder().decode([String].self, from: Data(bytes)) == [text])
                #expect(try TapeJSONDecoder().decode([String].self, from: bytes) == [text])
            }
        }
        #expect(try Self.direct(["a/b"]) == Array(#"["a/b"]"#.utf8))
        // Escaped slashes (as Foundation and some miners write them) still read back.
        #expect(try TapeJSONDecoder().decode([String].self, from: Array(#"["a\/b\/\/c"]"#.utf8)) == ["a/b//c"])
    }

    @Test("random documents (nested objects and arrays) are the same document as Foundation's")
    func documentsMatchFoundation() async throws {
        await propertyCheck(count: 400, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let document = Self.document(&random, depth: 0)
            let bytes = try #require(try Self.direct(document))
            try StrictJSON.validate(bytes)
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) == JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(document)))
        }
    }

    @Test("keys keep the order they were written in")
    func keysInWrittenOrder() throws {
        struct Ordered: Encodable {
            var zebra = 1, apple = "a", mango: [Int] = [1, 2], kiwi: Int? = nil, fig = true
        }
        #expect(try Self.direct(Ordered()).map { String(decoding: $0, as: UTF8.self) } == #"{"zebra":1,"apple":"a","mango":[1,2],"fig":true}"#)
    }

    /// A subclass writes into its superclass's container, as Foundation merges them.
    class Base: Encodable {
        var base = 1
        private enum CodingKeys: String, CodingKey { case base }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(base, forKey: .base)
        }
    }

    final class Derived: Base {
        var derived = "d"
        private enum CodingKeys: String, CodingKey { case derived }
        override func encode(to encoder: any Encoder) throws {
            try super.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(derived, forKey: .derived)
        }
    }

    /// Nested containers written in order, as hand-written conformances do.
    struct Nested: Encodable {
        enum Keys: String, CodingKey { case meta, list, after }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var meta = container.nestedContainer(keyedBy: Keys.self, forKey: .meta)
            try meta.encode(1, forKey: .after)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode("x")
            var inner = list.nestedContainer(keyedBy: Keys.self)
            try inner.encodeNil(forKey: .meta)
            try container.encode(2, forKey: .after)
        }
    }

    /// Writes into a nested container after writing a later sibling: not possible in order.
    struct OutOfOrder: Encodable {
        enum Keys: String, CodingKey { case first, second }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var first = container.nestedContainer(keyedBy: Keys.self, forKey: .first)
            try container.encode(2, forKey: .second)
            try first.encode(1, forKey: .second)
        }
    }

    struct UsesSuperEncoder: Encodable {
        enum Keys: String, CodingKey { case value }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try 5.encode(to: container.superEncoder(forKey: .value))
        }
    }

    struct WritesTwice: Encodable {
        func encode(to encoder: any Encoder) throws {
            var single = encoder.singleValueContainer()
            try single.encode(1)
            try single.encode(2)
        }
    }

    struct WritesNothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test("hand-written conformances that write in order are written directly: subclasses share their container, nested containers close in turn, an empty nested value is {}")
    func inOrderConformances() throws {
        #expect(try Self.direct(Derived()).map { String(decoding: $0, as: UTF8.self) } == #"{"base":1,"derived":"d"}"#)
        #expect(try Self.direct(Nested()).map { String(decoding: $0, as: UTF8.self) } == #"{"meta":{"after":1},"list":["x",{"meta":null}],"after":2}"#)
        #expect(try Self.direct([WritesNothing()]).map { String(decoding: $0, as: UTF8.self) } == "[{}]")
    }

    /// Records the coding path its encoder and containers report, as a type that throws an
    /// `EncodingError` would read it.
    final class PathRecorder: @unchecked Sendable {
        var paths: [String] = []
        func record(_ name: String, _ path: [any CodingKey]) {
            paths.append(name + ": " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: "."))
        }
    }

    struct Leaf: Encodable {
        let recorder: PathRecorder
        func encode(to encoder: any Encoder) throws {
            recorder.record("leaf", encoder.codingPath)
            var single = encoder.singleValueContainer()
            recorder.record("leaf value", single.codingPath)
            try single.encode(1)
        }
    }

    struct Branch: Encodable {
        enum Keys: String, CodingKey { case first, list, nested }
        let recorder: PathRecorder
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            recorder.record("branch", container.codingPath)
            try container.encode(Leaf(recorder: recorder), forKey: .first)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            recorder.record("list", list.codingPath)
            try list.encode(Leaf(recorder: recorder))
            try list.encode([Leaf(recorder: recorder), Leaf(recorder: recorder)])
            var nested = list.nestedContainer(keyedBy: Keys.self)
            recorder.record("nested", nested.codingPath)
            try nested.encode(Leaf(recorder: recorder), forKey: .nested)
            try container.encode(["x": Leaf(recorder: recorder)], forKey: .nested)
        }
    }

    @Test("a value asking for its coding path is told the member names and array positions down to it")
    func codingPaths() throws {
        let direct = PathRecorder(), foundation = PathRecorder()
        let bytes = try DirectJSONEncoder().encode([Branch(recorder: direct)])
        _ = try JSONEncoder().encode([Branch(recorder: foundation)])
        #expect(String(decoding: bytes, as: UTF8.self) == #"[{"first":1,"list":[1,[1,1],{"nested":1}],"nested":{"x":1}}]"#)
        // Foundation leaves a nested unkeyed container's name and a dictionary's key out of its
        // elements' paths; the direct encoder names the whole way down, as the tape decoder does.
        #expect(direct.paths == [
            "branch: [0]", "leaf: [0].first", "leaf value: [0].first", "list: [0].list", "leaf: [0].list.[0]", "leaf value: [0].list.[0]",
            "leaf: [0].list.[1].[0]", "leaf value: [0].list.[1].[0]", "leaf: [0].list.[1].[1]", "leaf value: [0].list.[1].[1]",
            "nested: [0].list.[2]", "leaf: [0].list.[2].nested", "leaf value: [0].list.[2].nested", "leaf: [0].nested.x", "leaf value: [0].nested.x",
        ])
        #expect(direct.paths.count == foundation.paths.count)
    }

    @Test("what cannot be written in order is Foundation's result or error, and leaves the buffer as it was")
    func fallsBackToFoundation() throws {
        #expect(try Self.direct(OutOfOrder()) == nil)
        #expect(try Self.direct(UsesSuperEncoder()) == nil)
        #expect(try Self.direct(WritesTwice()) == nil)
        #expect(try Self.direct(Decimal(string: "1.25")) == nil)
        #expect(try Self.direct([Double.nan]) == nil)
        #expect(try Self.direct(WritesNothing()) == nil)
        let outOfOrder = try JSONDecoder().decode(JSONValue.self, from: Data(DirectJSONEncoder().encode(OutOfOrder())))
        #expect(outOfOrder == .object(["first": .object(["second": .integer(1)]), "second": .integer(2)]))
        #expect(try DirectJSONEncoder().encode(Decimal(string: "1.25")) == Array("1.25".utf8))
        var buffer = Array("kept".utf8)
        #expect(throws: EncodingError.self) { try DirectJSONEncoder().encode([1, Double.infinity], into: &buffer) }
        #expect(buffer == Array("kept".utf8))
        struct Failing: Encodable {
            struct Refusal: Error {}
            func encode(to encoder: any Encoder) throws {
                var list = encoder.unkeyedContainer()
                try list.encode(1)
                throw Refusal()
            }
        }
        #expect(throws: Failing.Refusal.self) { try DirectJSONEncoder().encode(Failing(), into: &buffer) }
        #expect(buffer == Array("kept".utf8))
    }
}
