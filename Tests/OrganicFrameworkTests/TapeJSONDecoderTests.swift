import Foundation
@testable import OrganicFramework
@testable import OrganicPluginAPI
import PropertyBased
import Testing

/// The tape decoder must read every strict JSON document exactly as Foundation's `JSONDecoder`
/// does (the node switched its miner-answer decoding to it for speed).
@Suite("TapeJSONDecoder")
struct TapeJSONDecoderTests {
    enum Colour: String, Codable, Equatable { case red, green, blue }

    struct Inner: Codable, Equatable {
        var name: String
        var score: Double?
    }

    struct Everything: Codable, Equatable {
        var text: String
        var flag: Bool
        var int: Int
        var small: Int8
        var unsigned: UInt64
        var ratio: Double
        var vector: [Float]
        var matrix: [[Float]]
        var doubles: [Double]
        var words: [String]
        var counts: [Int]
        var optional: Int?
        var colour: Colour
        var inner: [Inner]
        var table: [String: Int]
        var blob: Data
        var nested: [[Inner]]?
    }

    static func everything(_ random: inout OrganicRandom) -> Everything {
        func float() -> Float { Float(RandomJSON.float(&random)) }
        return Everything(
            text: RandomJSON.string(&random, maxLength: 20), flag: Bool.random(using: &random), int: Int.random(in: .min ... .max, using: &random),
            small: Int8.random(in: .min ... .max, using: &random), unsigned: UInt64.random(in: .min ... .max, using: &random),
            ratio: RandomJSON.float(&random), vector: (0..<Int.random(in: 0...40, using: &random)).map { _ in float() }.filter(\.isFinite),
            matrix: (0..<Int.random(in: 0...3, using: &random)).map { _ in (0..<Int.random(in: 0...8, using: &random)).map { _ in float() }.filter(\.isFinite) },
            doubles: (0..<Int.random(in: 0...8, using: &random)).map { _ in RandomJSON.float(&random) },
            words: (0..<Int.random(in: 0...4, using: &random)).map { _ in RandomJSON.string(&random) },
            counts: (0..<Int.random(in: 0...4, using: &random)).map { _ in Int.random(in: -1000...1000, using: &random) },
            optional: Bool.random(using: &random) ? Int.random(in: -5...5, using: &random) : nil,
            colour: [Colour.red, .green, .blue][Int.random(in: 0..<3, using: &random)],
            inner: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                Inner(name: RandomJSON.string(&random), score: Bool.random(using: &random) ? RandomJSON.float(&random) : nil)
            },
            table: Dictionary((0..<Int.random(in: 0...4, using: &random)).map { _ in (RandomJSON.string(&random, maxLength: 5), Int.random(in: 0...9, using: &random)) },
                              uniquingKeysWith: { a, _ in a }),
            blob: Data((0..<Int.random(in: 0...16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }),
            nested: Bool.random(using: &random) ? [[Inner(name: "x", score: 1)], []] : nil)
    }

    @Test("random values encoded by Foundation decode to the same values")
    func roundTripsFoundationOutput() async throws {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let value = Self.everything(&random)
            let bytes = Array(try JSONEncoder().encode(value))
            let tape = try TapeJSONDecoder().decode(Everything.self, from: bytes)
            let foundation = try JSONDecoder().decode(Everything.self, from: Data(bytes))
            #expect(tape == foundation)
            #expect(tape.vector.map(\.bitPattern) == value.vector.map(\.bitPattern))
        }
    }

    @Test("random JSON texts (escapes, exponents, spacing) read as Foundation reads them")
    func agreesWithFoundationOnRandomText() async {
        await propertyCheck(count: 400, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let value = RandomJSON.value(&random, depth: Int.random(in: 0...3, using: &random))
            let text = Array(RandomJSON.text(value, &random).utf8)
            guard (try? StrictJSON.validate(text)) != nil else { return }
            let foundation = try? JSONDecoder().decode(JSONValue.self, from: Data(text))
            let tape = try? TapeJSONDecoder().decode(JSONValue.self, from: text)
            #expect(tape == foundation, "\(String(decoding: text, as: UTF8.self))")
        }
    }

    @Test("numbers: the same Float, Double and Int as Foundation, bit for bit, and the same refusals")
    func numbersAgree() async {
        await propertyCheck(count: 2000, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let digits = "0123456789"
            var text = Bool.random(using: &random) ? "-" : ""
            let whole = Int.random(in: 0...12, using: &random)
            text += whole == 0 ? "0" : String((0..<whole).map { i in i == 0 ? "123456789".randomElement(using: &random)! : digits.randomElement(using: &random)! })
            if Bool.random(using: &random) {
                text += "." + String((0..<Int.random(in: 1...20, using: &random)).map { _ in digits.randomElement(using: &random)! })
            }
            if Int.random(in: 0..<4, using: &random) == 0 {
                text += ["e", "E", "e+", "e-"].randomElement(using: &random)! + String(Int.random(in: 0...320, using: &random))
            }
            let bytes = Array(text.utf8)
            // Foundation refuses some valid spellings of zero with an exponent (`0e6`, `0.00e+2`,
            // but not `-0e6`); RFC 8259 allows them and so does the tape decoder.
            let parts = text.split(whereSeparator: { $0 == "e" || $0 == "E" })
            let zeroWithExponent = parts.count == 2 && !parts[0].contains(where: { "123456789".contains($0) })
            func both<T: Decodable>(_ type: T.Type, _ same: (T, T) -> Bool) {
                let foundation = try? JSONDecoder().decode(T.self, from: Data(bytes))
                let tape = try? TapeJSONDecoder().decode(T.self, from: bytes)
                switch (foundation, tape) {
                case (nil, nil): break
                case (nil, _?) where zeroWithExponent: break
                case (let f?, let t?): #expect(same(f, t), "\(text) as \(T.self): Foundation \(f), tape \(t)")
                default: #expect(Bool(false), "\(text) as \(T.self): Foundation \(String(describing: foundation)), tape \(String(describing: tape))")
                }
            }
            both(Float.self) { $0.bitPattern == $1.bitPattern }
            both(Double.self) { $0.bitPattern == $1.bitPattern }
            both([Float].self) { $0.map(\.bitPattern) == $1.map(\.bitPattern) }
            both(Int.self, ==)
            both(UInt8.self, ==)
            both(Int32.self, ==)
        }
    }

    @Test("decimals next to the halfway point between two floats round as Foundation rounds them")
    func floatHalfwayCases() async {
        await propertyCheck(count: 2000, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let float = Float(bitPattern: UInt32.random(in: 0...0x7F7F_FFFF, using: &random))
            let halfway = (Double(float) + Double(float.nextUp)) / 2
            for digits in [9, 15, 16, 17] {
                let text = String(format: "%.\(digits)g", halfway)
                let foundation = try? JSONDecoder().decode(Float.self, from: Data(text.utf8))
                let tape = try? TapeJSONDecoder().decode(Float.self, from: Array(text.utf8))
                #expect(foundation?.bitPattern == tape?.bitPattern, "\(text): Foundation \(String(describing: foundation)), tape \(String(describing: tape))")
            }
        }
    }

    @Test("errors name the same path and kind as Foundation's")
    func errorsAgree() {
        let documents = [
            #"{"text":"a"}"#,
            #"{"name":"x","score":"high"}"#,
            #"[{"name":"x"},{"name":3}]"#,
            #"{"name":null}"#,
            #"[{"name":"x","score":1e999}]"#,
        ]
        func describe(_ error: any Error) -> String {
            guard let error = error as? DecodingError else { return "other" }
            switch error {
            case .keyNotFound(let key, let c): return "keyNotFound \(key.stringValue) at \(c.codingPath.map(\.stringValue))"
            case .typeMismatch(_, let c): return "typeMismatch at \(c.codingPath.map(\.stringValue))"
            case .valueNotFound(_, let c): return "valueNotFound at \(c.codingPath.map(\.stringValue))"
            case .dataCorrupted: return "dataCorrupted"
            @unknown default: return "unknown"
            }
        }
        for document in documents {
            let bytes = Array(document.utf8)
            func outcome(_ decode: () throws -> Void) -> String {
                do {
                    try decode()
                    return "ok"
                } catch {
                    return describe(error)
                }
            }
            #expect(outcome { _ = try TapeJSONDecoder().decode(Inner.self, from: bytes) } == outcome { _ = try JSONDecoder().decode(Inner.self, from: Data(bytes)) },
                    "\(document) as Inner")
            #expect(outcome { _ = try TapeJSONDecoder().decode([Inner].self, from: bytes) } == outcome { _ = try JSONDecoder().decode([Inner].self, from: Data(bytes)) },
                    "\(document) as [Inner]")
        }
    }

    /// Records the coding path each level of a document reports while it is decoded.
    final class PathLog: @unchecked Sendable {
        @TaskLocal static var current: PathLog?
        var paths: [String] = []
        static func record(_ name: String, _ path: [any CodingKey]) {
            current?.paths.append(name + ": " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: "."))
        }
    }

    struct PathLeaf: Decodable {
        init(from decoder: any Decoder) throws {
            PathLog.record("leaf", decoder.codingPath)
            let single = try decoder.singleValueContainer()
            PathLog.record("leaf value", single.codingPath)
            _ = try single.decode(Int8.self)
        }
    }

    struct PathBranch: Decodable {
        enum Keys: String, CodingKey { case first, list, nested }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            PathLog.record("branch", container.codingPath)
            _ = try container.decode(PathLeaf.self, forKey: .first)
            var list = try container.nestedUnkeyedContainer(forKey: .list)
            PathLog.record("list", list.codingPath)
            _ = try list.decode(PathLeaf.self)
            _ = try list.decode([PathLeaf].self)
            let nested = try list.nestedContainer(keyedBy: Keys.self)
            PathLog.record("nested", nested.codingPath)
            _ = try nested.decode(PathLeaf.self, forKey: .nested)
            _ = try container.decode([String: PathLeaf].self, forKey: .nested)
        }
    }

    @Test("a type reading its coding path, or failing deep in a document, is told Foundation's path (escaped names unescaped)")
    func nestedCodingPaths() {
        let documents = [
            #"[{"first":1,"list":[1,[1,1],{"nested":1}],"nested":{"x":1}}]"#,
            #"[{"fir\u0073t":1,"list":[1,[1,1],{"nested":1}],"ne\u0073ted":{"\u0078":1}}]"#,
            #"[{"first":1,"list":[1,[1,300],{"nested":1}],"nested":{"x":1}}]"#,
            #"[{"first":1,"list":[1,[1,1],{"nested":"a"}],"nested":{"x":1}}]"#,
            #"[{"first":1,"list":[1,[1,1],{}],"nested":{"x":1}}]"#,
            #"[{"first":1,"list":[1,[1,1]],"nested":{"x":1}}]"#,
            #"[{"first":1,"list":[1,[1,1],{"nested":1}],"nested":{"x":null}}]"#,
        ]
        func run(_ decode: () throws -> Void) -> [String] {
            let log = PathLog()
            do {
                try PathLog.$current.withValue(log) { try decode() }
                return log.paths
            } catch let error as DecodingError {
                let context: DecodingError.Context? = switch error {
                case .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c
                @unknown default: nil
                }
                return log.paths + ["error at " + (context?.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") ?? "?")]
            } catch {
                return log.paths + ["other error"]
            }
        }
        for document in documents {
            let bytes = Array(document.utf8)
            let tape = run { _ = try TapeJSONDecoder().decode([PathBranch].self, from: bytes) }
            var foundation = run { _ = try JSONDecoder().decode([PathBranch].self, from: Data(bytes)) }
            // Foundation names no path for a number that does not fit; the tape names the number's.
            if document.contains("300") && foundation.last == "error at " { foundation[foundation.count - 1] = "error at [0].list.[1].[1]" }
            #expect(tape == foundation, "\(document)")
            #expect(tape.count > 8, "\(document)")
        }
    }

    struct Optionals: Decodable, Equatable {
        var bool: Bool?, string: String?, double: Double?, float: Float?
        var int: Int?, int8: Int8?, int16: Int16?, int32: Int32?, int64: Int64?
        var uint: UInt?, uint8: UInt8?, uint16: UInt16?, uint32: UInt32?, uint64: UInt64?
    }

    @Test("optional numbers, strings and booleans: present, absent, null or of the wrong type, as Foundation reads them")
    func optionalScalars() {
        let present = #"{"bool":true,"string":"s","double":0.5,"float":1.5,"int":-1,"int8":-8,"int16":16,"int32":32,"int64":-64,"#
            + #""uint":1,"uint8":8,"uint16":16,"uint32":32,"uint64":64}"#
        let keys = ["bool", "string", "double", "float", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64"]
        var documents = [present, "{}", "{" + keys.map { "\"\($0)\":null" }.joined(separator: ",") + "}"]
        for key in keys {
            documents.append("{\"\(key)\":[1]}")
            documents.append("{\"\(key)\":\"1\"}")
            documents.append("{\"\(key)\":300}")
            documents.append("{\"\(key)\":-1}")
        }
        func outcome(_ decode: () throws -> Optionals) -> String {
            do {
                return String(describing: try decode())
            } catch let error as DecodingError {
                switch error {
                case .typeMismatch(_, let c): return "typeMismatch at \(c.codingPath.map(\.stringValue))"
                case .valueNotFound(_, let c): return "valueNotFound at \(c.codingPath.map(\.stringValue))"
                case .keyNotFound(let key, _): return "keyNotFound \(key.stringValue)"
                case .dataCorrupted: return "dataCorrupted"
                @unknown default: return "unknown"
                }
            } catch {
                return "other"
            }
        }
        for document in documents {
            let bytes = Array(document.utf8)
            let tape = outcome { try TapeJSONDecoder().decode(Optionals.self, from: bytes) }
            let foundation = outcome { try JSONDecoder().decode(Optionals.self, from: Data(bytes)) }
            #expect(tape == foundation, "\(document)")
        }
        #expect(outcome { try TapeJSONDecoder().decode(Optionals.self, from: Array(present.utf8)) }.contains("uint64: Optional(64)"))
    }

    @Test("a bad element of an array of numbers, strings or booleans is named by its own path")
    func scalarArrayErrorPaths() {
        func path(_ decode: () throws -> Void) -> String {
            do {
                try decode()
                return "ok"
            } catch let error as DecodingError {
                switch error {
                case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c), .keyNotFound(_, let c):
                    return c.codingPath.map(\.stringValue).joined(separator: ".")
                @unknown default: return "unknown"
                }
            } catch {
                return "other"
            }
        }
        // (document, decode, the element's path); Foundation names the same element except for
        // numbers it cannot represent, which it reports at the root.
        let cases: [(String, ([UInt8]) throws -> Void, String)] = [
            (#"[[0.5, 1.5], [2.5, "x"]]"#, { _ = try TapeJSONDecoder().decode([[Float]].self, from: $0) }, "Index 1.Index 1"),
            (#"[[0.5], [1e999]]"#, { _ = try TapeJSONDecoder().decode([[Float]].self, from: $0) }, "Index 1.Index 0"),
            (#"[1, 2, 3.5]"#, { _ = try TapeJSONDecoder().decode([Int].self, from: $0) }, "Index 2"),
            (#"["a", null]"#, { _ = try TapeJSONDecoder().decode([String].self, from: $0) }, "Index 1"),
            (#"[true, 0]"#, { _ = try TapeJSONDecoder().decode([Bool].self, from: $0) }, "Index 1"),
            (#"[0.25, {}]"#, { _ = try TapeJSONDecoder().decode([Double].self, from: $0) }, "Index 1"),
        ]
        for (document, decode, expected) in cases {
            #expect(path { try decode(Array(document.utf8)) } == expected, "\(document)")
        }
        #expect(path { _ = try JSONDecoder().decode([[Float]].self, from: Data(#"[[0.5, 1.5], [2.5, "x"]]"#.utf8)) } == "Index 1.Index 1")
    }

    @Test("keys written with escapes match; lenient JSON is refused")
    func escapesAndStrictness() throws {
        let value = try TapeJSONDecoder().decode(Inner.self, from: Array(#"{"n\u0061me":"caf\u00e9 \ud83d\ude00\n","score":0.5}"#.utf8))
        #expect(value == Inner(name: "café 😀\n", score: 0.5))
        for lenient in [#"{"name":"a","name":"b"}"#, #"{"name":"a",}"#, "\u{FEFF}{\"name\":\"a\"}"] {
            #expect(throws: DecodingError.self, "\(lenient)") { try TapeJSONDecoder().decode(Inner.self, from: Array(lenient.utf8)) }
        }
    }
}
