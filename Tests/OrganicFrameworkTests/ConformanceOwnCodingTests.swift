import OrganicPluginAPI
@testable import OrganicTestKit
import Testing

/// The conformance suite must catch a hand-written reader or writer that disagrees with the
/// type's Codable conformance, since the node uses one where a plugin's tests may use the other.
@Suite("Conformance suite: a type's own JSON reader and writer")
struct ConformanceOwnCodingTests {
    /// Codable: `id` required, `note` optional (left out when nil).
    struct Correct: Codable, JSONReadable, JSONWritable {
        var id: String
        var note: String?

        init(id: String, note: String?) {
            self.id = id
            self.note = note
        }

        init(json: JSONReader) throws {
            var id: String?, note: String?
            try json.members { name, value in
                switch name {
                case "id": id = try value.string()
                case "note": note = try value.optional { try $0.string() }
                default: break
                }
            }
            guard let id else { throw json.missingMember("id") }
            self.init(id: id, note: note)
        }

        func write(json: inout JSONWriter) throws {
            json.object { o in
                o.member("id", id)
                if let note { o.member("note", note) }
            }
        }
    }

    /// Reads a document without `id`, which Decodable refuses.
    struct LenientReader: Codable, JSONReadable {
        var id: String
        var note: String?

        init(id: String, note: String?) {
            self.id = id
            self.note = note
        }

        init(json: JSONReader) throws {
            let read = try? Correct(json: json)
            self.init(id: read?.id ?? "", note: read?.note)
        }
    }

    /// Refuses a null `note`, which Decodable reads as nil.
    struct StrictReader: Codable, JSONReadable {
        var id: String
        var note: String?

        init(id: String, note: String?) {
            self.id = id
            self.note = note
        }

        init(json: JSONReader) throws {
            var id: String?, note: String?
            try json.members { name, value in
                switch name {
                case "id": id = try value.string()
                case "note": note = try value.string()
                default: break
                }
            }
            guard let id else { throw json.missingMember("id") }
            self.init(id: id, note: note)
        }
    }

    /// Writes its members in another order than Encodable.
    struct ReorderedWriter: Codable, JSONWritable {
        var id: String
        var note: String?

        func write(json: inout JSONWriter) throws {
            json.object { o in
                if let note { o.member("note", note) }
                o.member("id", id)
            }
        }
    }

    @Test("a reader and writer that agree with Codable pass")
    func correctPasses() {
        #expect(PluginConformance.ownCodingIssue(Correct(id: "a", note: "b")) == nil)
        #expect(PluginConformance.ownCodingIssue(Correct(id: "a\"\\\n", note: nil)) == nil)
    }

    @Test("a reader that accepts what Decodable refuses is reported")
    func lenientReaderFails() throws {
        let issue = try #require(PluginConformance.ownCodingIssue(LenientReader(id: "a", note: "b")))
        #expect(issue.contains("which Decodable refuses"), "\(issue)")
    }

    @Test("a reader that refuses what Decodable reads is reported")
    func strictReaderFails() throws {
        let issue = try #require(PluginConformance.ownCodingIssue(StrictReader(id: "a", note: "b")))
        #expect(issue.contains("JSONReadable refuses {\"id\":\"a\",\"note\":null}"), "\(issue)")
    }

    @Test("a writer that writes other text than Encodable is reported")
    func reorderedWriterFails() throws {
        let issue = try #require(PluginConformance.ownCodingIssue(ReorderedWriter(id: "a", note: "b")))
        #expect(issue == #"JSONWritable writes {"note":"b","id":"a"} where Encodable writes {"id":"a","note":"b"}"#)
        // With nothing to reorder there is nothing to report.
        #expect(PluginConformance.ownCodingIssue(ReorderedWriter(id: "a", note: nil)) == nil)
    }
}
