import Foundation
import OrganicFramework
import Testing

/// A neuron keeps its fields in one shared box; it must still behave as a plain value.
@Suite("Neuron as a value")
struct NeuronValueTests {
    static let full = Neuron(uid: 7, hotkey: "5Hot", coldkey: "5Cold", url: "http://127.0.0.1:9000", stake: 12.5, validatorPermit: true,
                             endpoints: ["text-embeddings", "chat/llama"], capacity: 4, capacities: ["chat": 2])

    @Test("changing a copy leaves the original as it was")
    func copiesAreIndependent() {
        let original = Self.full
        var copy = original
        copy.hotkey = "5Other"
        copy.url = nil
        copy.endpoints?.insert("image-to-image")
        copy.capacities = nil
        copy.stake += 1
        #expect(original.hotkey == "5Hot")
        #expect(original.url == "http://127.0.0.1:9000")
        #expect(original.endpoints == ["text-embeddings", "chat/llama"])
        #expect(original.capacities == ["chat": 2])
        #expect(original.stake == 12.5)
        #expect(copy.hotkey == "5Other" && copy.url == nil && copy.endpoints?.contains("image-to-image") == true)
        #expect(copy != original)
    }

    @Test("equal fields are equal neurons with equal hashes, whichever box holds them")
    func equalityFollowsFields() {
        let a = Self.full
        var b = Neuron(uid: 7, hotkey: "5Hot", coldkey: "5Cold", url: "http://127.0.0.1:9000", stake: 12.5, validatorPermit: true,
                       endpoints: ["chat/llama", "text-embeddings"], capacity: 4, capacities: ["chat": 2])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        b.capacity = 5
        #expect(a != b)
    }

    @Test("JSON keeps the neuron's own keys and leaves out absent fields")
    func codableShape() throws {
        let minimal = Neuron(uid: 3, hotkey: "5Min", url: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(minimal), as: UTF8.self) == #"{"hotkey":"5Min","stake":0,"uid":3,"validatorPermit":false}"#)
        let decoded = try JSONDecoder().decode(Neuron.self, from: try encoder.encode(Self.full))
        #expect(decoded == Self.full)
        #expect(decoded.capacities == ["chat": 2] && decoded.coldkey == "5Cold")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Neuron.self, from: Data(#"{"uid":1}"#.utf8)) }
    }
}
