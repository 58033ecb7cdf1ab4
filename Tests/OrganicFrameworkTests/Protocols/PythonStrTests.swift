import Foundation
import OrganicTestKit
import PropertyBased
import Testing
@testable import OrganicFramework

@Suite("Python str() of JSON values")
struct PythonStrTests {
    func str(_ json: String, numbers: PythonStr.Numbers = .asParsed, unicode: PythonStr.UnicodeVersion = .python311) throws -> String {
        PythonStr.str(try SynapseJSON.parse(json), numbers: numbers, unicode: unicode)
    }

    // Expected values printed by CPython 3.11: str(json.loads(text)).
    @Test func knownValues() throws {
        #expect(try str(#""a \"b\" \\ c""#) == #"a "b" \ c"#)
        #expect(try str("null") == "None")
        #expect(try str("[true, false, null]") == "[True, False, None]")
        #expect(try str("-0") == "0")
        #expect(try str("123456789012345678901234567890") == "123456789012345678901234567890")
        #expect(try str(#"{"a": [1, 1.0, "it's"], "b": {}}"#) == #"{'a': [1, 1.0, "it's"], 'b': {}}"#)
        #expect(try str(#"["both ' and \""]"#) == #"['both \' and "']"#)
        #expect(try str(#"["tab\there\nnew\r\u0000\u001f\u007f"]"#) == #"['tab\there\nnew\r\x00\x1f\x7f']"#)
        #expect(try str(#"["\u0080\u00a0\u00ad\u00e9\u2028\u200b\ue000\ufffe\u0378"]"#) == #"['\x80\xa0\xadé\u2028\u200b\ue000\ufffe\u0378']"#)
        #expect(try str(#"["\ud83d\ude00\udb40\udc01\udb80\udc00"]"#) == "['😀\\U000e0001\\U000f0000']")
        #expect(try str(#"["\u3000 \u00a0"]"#) == #"['\u3000 \xa0']"#)
        #expect(try str(#"{"a": 1, "b": 2, "a": 3}"#) == "{'a': 3, 'b': 2}")
        #expect(try str("[1, 2.5]", numbers: .floats) == "[1.0, 2.5]")
    }

    @Test func floatsAsPythonReprs() {
        let cases: [(Double, String)] = [
            (1, "1.0"), (-0.0, "-0.0"), (0.1, "0.1"), (1e16, "1e+16"), (1e15, "1000000000000000.0"),
            (1.2345678901234568e17, "1.2345678901234568e+17"), (1234567890123456.7, "1234567890123456.8"),
            (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e-7, "1.5e-07"), (.leastNonzeroMagnitude, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (2.5e20, "2.5e+20"), (100, "100.0"),
            (.infinity, "inf"), (-.infinity, "-inf"), (.nan, "nan"), (1e100, "1e+100"), (123.456, "123.456"),
        ]
        for (value, expected) in cases { #expect(PythonStr.floatRepr(value) == expected, "\(value)") }
    }

    /// Characters assigned after the axon's Unicode database are unassigned there, so escaped.
    @Test func unicodeVersionDecidesWhatIsPrinted() throws {
        // U+1F6DC WIRELESS was added in Unicode 15.0.
        #expect(try str(#"["\ud83d\udedc"]"#, unicode: .python311) == #"['\U0001f6dc']"#)
        #expect(try str(#"["\ud83d\udedc"]"#, unicode: .python312) == "['\u{1F6DC}']")
        #expect(PythonStr.UnicodeVersion("14.0.0") == .python311)
    }

    @Test func parserRefusesWhatPythonRefuses() throws {
        for bad in ["", "01", "1.", ".5", "[1,]", "{\"a\" 1}", "\"\u{01}\"", "\"\\x41\"", "\"\\ud800\"", "tru", "[1] x", "{'a': 1}"] {
            #expect(throws: SynapseJSONError.self, "\(bad.debugDescription)") { try SynapseJSON.parse(bad) }
        }
        #expect(try SynapseJSON.parse(" [NaN, -Infinity, 1E5, -0.0] ").jsonText == "[NaN,-Infinity,100000.0,-0.0]")
    }

    @Test func writesWhatItReads() throws {
        let text = #"{"s":"q\"\\\n\u0001é😀","i":-12345678901234567890,"f":[1.0,1e-05,0.1],"n":null,"b":[true,false],"o":{}}"#
        let value = try SynapseJSON.parse(text)
        #expect(value.jsonText == text)
        #expect(try SynapseJSON.parse(value.jsonBytes) == value)
    }

    /// Any value we write reads back unchanged (floats bit for bit).
    @Test func roundTrip() async {
        await propertyCheck(count: 50, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            for _ in 0..<20 {
                let value = RandomJSON.value(&random, depth: 0)
                let again = try SynapseJSON.parse(value.jsonBytes)
                #expect(again.jsonText == value.jsonText)
            }
        }
    }
}

/// CPython itself: `str(json.loads(text))` for many random documents, written with random
/// escapes, spacing and number spellings, strings full of quotes, backslashes, controls and
/// characters from every general category.
@Suite("Python str() against CPython", .enabled(if: SDK10Python.anyPython != nil, "neither ORGANIC_PYTHON_SDK10 nor ORGANIC_PYTHON is set (scripts/test.sh sets them)"))
struct PythonStrInteropTests {
    struct Output: Decodable {
        var unicode: String
        var str: [String]
    }

    @Test func strMatchesCPython() async throws {
        let python = try #require(SDK10Python.anyPython)
        await propertyCheck(count: 6, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let texts = (0..<300).map { _ in RandomJSON.text(RandomJSON.value(&random, depth: 0), &random) }
            let run = try await ChildProcess.run(python, [SDK10Python.sdkScript, "str"], stdin: try JSONEncoder().encode(texts))
            try #require(run.status == 0, "axon_synapse_sdk.py str failed: \(run.errorText)")
            let output = try JSONDecoder().decode(Output.self, from: run.output)
            let unicode = try #require(PythonStr.UnicodeVersion(output.unicode))
            try #require(output.str.count == texts.count)
            for (text, expected) in zip(texts, output.str) {
                let ours = PythonStr.str(try SynapseJSON.parse(text), unicode: unicode)
                #expect(ours == expected, "json: \(text)")
            }
        }
    }
}
