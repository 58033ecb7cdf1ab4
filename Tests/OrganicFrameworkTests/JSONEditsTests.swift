import Foundation
import PropertyBased
import Testing
@testable import OrganicFramework
@testable import OrganicPluginAPI

/// Edits spliced into JSON text: what a streaming caller receives instead of a re-encoded chunk.
@Suite("JSON edits on text")
struct JSONEditsTests {
    static func edited(_ text: String, _ edits: JSONEdits) throws -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        edits.apply(to: bytes, tape: try JSONTape.parse(bytes), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static var chatEdits: JSONEdits {
        var edits = JSONEdits()
        edits.set("model", to: "chat-llama-3-2-3b")
        edits.remove("usage")
        edits.setNull(["choices", .eachElement, "logprobs"])
        return edits
    }

    @Test("a chat chunk: the model replaced in place, usage removed, every choice's logprobs null; the rest copied byte for byte")
    func chatChunk() throws {
        let miner = #"{"id":"c-1", "model" : "organic/ref","usage":{"prompt_tokens":1},"choices":[{"index":0,"delta":{"content":" \"a\"\n"},"logprobs":{"content":[{"token":"a","bytes":[97]}]}},{"index":1}], "x":[1 ,2]}"#
        #expect(try Self.edited(miner, Self.chatEdits)
                == #"{"id":"c-1","model" : "chat-llama-3-2-3b","choices":[{"index":0,"delta":{"content":" \"a\"\n"},"logprobs":null},{"index":1,"logprobs":null}],"x":[1 ,2]}"#)
    }

    @Test("members are added at the end of their object, removed wherever they stand, and matched through escapes")
    func membersAddedRemovedAndEscaped() throws {
        var edits = JSONEdits()
        edits.remove("a")
        #expect(try Self.edited(#"{"a":1}"#, edits) == "{}")
        #expect(try Self.edited(#"{ "a" : [1, {"b":2}] , "c":3}"#, edits) == #"{"c":3}"#)
        #expect(try Self.edited(#"{"c":3,"a":1,"d":4}"#, edits) == #"{"c":3,"d":4}"#)
        #expect(try Self.edited(#"{"c":3}"#, edits) == #"{"c":3}"#)
        // A name written with an escape is the same name.
        #expect(try Self.edited(#"{"\u0061":1,"c":3}"#, edits) == #"{"c":3}"#)

        var added = JSONEdits()
        added.set("quote\"d", to: "v")
        try added.set("n", to: [1, 2])
        #expect(try Self.edited("{}", added) == #"{"quote\"d":"v","n":[1,2]}"#)
        #expect(try Self.edited(#"{"n":{"deep":[true]},"k":false}"#, added) == #"{"n":[1,2],"k":false,"quote\"d":"v"}"#)

        // Past the 64 edits whose presence is tracked as they are met, presence is looked up.
        var many = JSONEdits()
        for i in 0..<70 { many.set(.init([.member("m\(i)")]), to: "v\(i)") }
        let present = [3, 66, 69]
        let text = "{" + present.map { #""m\#($0)":0"# }.joined(separator: ",") + "}"
        let expected = "{" + present.map { #""m\#($0)":"v\#($0)""# }.joined(separator: ",") + ","
            + (0..<70).filter { !present.contains($0) }.map { #""m\#($0)":"v\#($0)""# }.joined(separator: ",") + "}"
        #expect(try Self.edited(text, many) == expected)
    }

    @Test("paths that meet another kind of value, or an absent member, change nothing; a path ending in an element is ignored")
    func mismatchesChangeNothing() throws {
        var edits = JSONEdits()
        edits.setNull(["choices", .eachElement, "logprobs"])
        edits.setNull(["meta", "x"])
        for text in [#"{"choices":{"logprobs":1}}"#, #"{"choices":[1,"s",[{"logprobs":1}]]}"#, #"{"meta":[{"x":1}]}"#, "{}", "[1,2]", #""text""#, "7"] {
            #expect(try Self.edited(text, edits) == text, "\(text)")
        }
        var ignored = JSONEdits()
        ignored.remove(["a", .eachElement])
        ignored.remove([])
        #expect(ignored.isEmpty)
        #expect(ignored.ignoredPaths == [["a", .eachElement], []])
        #expect(try Self.edited(#"{"a":[1]}"#, ignored) == #"{"a":[1]}"#)
    }

    @Test("keepOnly: an object keeps the named members and those other edits name, at the top or at a path, in every element")
    func keepOnly() throws {
        var edits = JSONEdits()
        edits.keepOnly(["id", "choices"])
        edits.set("model", to: "m")
        edits.keepOnly(["index", "delta"], at: ["choices", .eachElement])
        edits.keepOnly(["content"], at: ["choices", .eachElement, "delta"])
        let hostile = #"{"id":"c","extra":{"x":1},"model":"miner","choices":[{"index":0,"delta":{"content":"a","tool_calls":[{"id":"t"}]},"debug":true},7],"usage":{}}"#
        #expect(try Self.edited(hostile, edits) == #"{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"a"}},7]}"#)
        // A name written with escapes is kept (or dropped) by what it spells.
        #expect(try Self.edited(#"{"\u0069d":"c","\u0078":1,"choices":[]}"#, edits) == #"{"\u0069d":"c","choices":[],"model":"m"}"#)
        // Nothing kept, nothing added: an empty object.
        var none = JSONEdits()
        none.keepOnly([])
        #expect(!none.isEmpty)
        #expect(try Self.edited(#"{"a":1,"b":[2]}"#, none) == "{}")
        // A path that cannot name an object is ignored; one that meets no object changes nothing.
        var odd = JSONEdits()
        odd.keepOnly(["a"], at: [.eachElement])
        #expect(odd.isEmpty && odd.ignoredPaths == [[.eachElement]])
        odd.keepOnly(["a"], at: ["list", .eachElement])
        #expect(try Self.edited(#"{"list":[1,[2]],"b":3}"#, odd) == #"{"list":[1,[2]],"b":3}"#)
    }

    @Test("a later edit of a member wins, over the member itself or what lies below it")
    func laterEditWins() throws {
        var below = JSONEdits()
        below.remove("a")
        below.set(["a", "b"], to: "x")
        #expect(try Self.edited(#"{"a":{"b":1,"c":2}}"#, below) == #"{"a":{"b":"x","c":2}}"#)
        var over = JSONEdits()
        over.set(["a", "b"], to: "x")
        over.setNull("a")
        #expect(try Self.edited(#"{"a":{"b":1}}"#, over) == #"{"a":null}"#)
    }

    /// One edit of a random document, and the same edit made on its parsed value.
    enum Change {
        case set(SynapseJSON)
        case remove
    }

    static func reference(_ value: SynapseJSON, _ path: ArraySlice<JSONPath.Component>, _ change: Change) -> SynapseJSON {
        guard case .object(var object) = value, case .member(let name)? = path.first else { return value }
        let rest = path.dropFirst()
        guard !rest.isEmpty else {
            switch change {
            case .set(let new): object[name] = new
            case .remove: object[name] = nil
            }
            return .object(object)
        }
        guard let child = object[name] else { return value }
        object[name] = element(child, rest, change)
        return .object(object)
    }

    /// `path` applied to `value`, stepping into arrays at `.eachElement`.
    static func element(_ value: SynapseJSON, _ path: ArraySlice<JSONPath.Component>, _ change: Change) -> SynapseJSON {
        guard path.first == .eachElement else { return reference(value, path, change) }
        guard case .array(let items) = value else { return value }
        return .array(items.map { element($0, path.dropFirst(), change) })
    }

    /// A path into `value` that exists there about half the time.
    static func randomPath(in value: SynapseJSON, _ random: inout OrganicRandom) -> [JSONPath.Component] {
        var path: [JSONPath.Component] = []
        var current: SynapseJSON? = value
        while true {
            switch current {
            case .object(let object)? where !object.isEmpty && Int.random(in: 0..<4, using: &random) > 0:
                let key = object.keys.randomElement(using: &random) ?? ""
                path.append(.member(key))
                current = object[key]
            default:
                path.append(.member(["id", "model", "a", "b", "é", "k\"q"].randomElement(using: &random) ?? "a"))
                return path
            }
            // Stop at a member, or go on below it (into every element of an array).
            if Int.random(in: 0..<3, using: &random) == 0 { return path }
            if case .array(let items)? = current {
                path.append(.eachElement)
                current = items.randomElement(using: &random)
                if current == nil { current = .object(.init()) }
            }
        }
    }

    @Test("random documents and edits: the edited text is strict JSON and reads as the document with the edits made on its value")
    func randomDocuments() async {
        await propertyCheck(count: 400, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            var document = SynapseJSON.Object()
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                document[RandomJSON.string(&random, maxLength: 4)] = RandomJSON.value(&random, depth: 1)
            }
            let value = SynapseJSON.object(document)
            let text = Array(RandomJSON.text(value, &random).utf8)
            var edits = JSONEdits()
            var expected = value
            var paths: [[JSONPath.Component]] = []
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let path = Self.randomPath(in: value, &random)
                // Paths that nest in one another replace each other (tested above), not combine.
                if paths.contains(where: { $0.starts(with: path) || path.starts(with: $0) }) { continue }
                paths.append(path)
                let change: Change
                switch Int.random(in: 0..<4, using: &random) {
                case 0:
                    change = .remove
                    edits.remove(JSONPath(path))
                case 1:
                    change = .set(.null)
                    edits.setNull(JSONPath(path))
                case 2:
                    let string = RandomJSON.string(&random)
                    change = .set(.string(string))
                    edits.set(JSONPath(path), to: string)
                default:
                    let number = Int.random(in: -1000...1000, using: &random)
                    change = .set(.int(number))
                    try? edits.set(JSONPath(path), to: number)
                }
                expected = Self.reference(expected, path[...], change)
            }
            guard let tape = try? JSONTape.parse(text) else {
                Issue.record("the random document is not strict JSON: \(String(decoding: text, as: UTF8.self))")
                return
            }
            var out: [UInt8] = []
            edits.apply(to: text, tape: tape, into: &out)
            #expect((try? StrictJSON.validate(out)) != nil, "\(String(decoding: out, as: UTF8.self))")
            #expect((try? SynapseJSON.parse(out)) == expected,
                    "\(String(decoding: text, as: UTF8.self)) edited by \(paths.map { JSONPath($0).description }) gave \(String(decoding: out, as: UTF8.self))")
        }
    }
}
