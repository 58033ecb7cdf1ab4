import Foundation
import PropertyBased
import Testing
@testable import OrganicFramework

/// The SCALE decoder against `Vec<NeuronInfoLite>` encoded by the official `scalecodec`
/// (Tests/Fixtures/make_metagraph_fixtures.py → neurons_lite_netuid19.json).
@Suite("Subtensor: NeuronInfoLite SCALE")
struct NeuronInfoLiteDecodingTests {
    struct Fixture: Decodable {
        struct Expected: Decodable {
            var uid: UInt16
            var hotkey: String
            var coldkey: String
            var active: Bool
            var ip: String
            var port: UInt16
            var ip_type: UInt8
            var stake_rao: String
            var validator_permit: Bool
            var emission: String
            var last_update: String
            var rank: UInt16
        }
        var hex: String
        var empty_hex: String
        var netuid_param: String
        var neurons: [Expected]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/neurons_lite_netuid19.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func decodesScalecodecFixture() throws {
        let fixture = try Self.fixture()
        let neurons = try NeuronInfoLite.decodeVector(try Hex.decode(fixture.hex))
        #expect(neurons.count == fixture.neurons.count)
        for (decoded, expected) in zip(neurons, fixture.neurons) {
            #expect(decoded.uid == expected.uid)
            #expect(decoded.netuid == 19)
            #expect(Hex.encode(decoded.hotkey, prefix0x: true) == expected.hotkey)
            #expect(Hex.encode(decoded.coldkey, prefix0x: true) == expected.coldkey)
            #expect(decoded.active == expected.active)
            #expect(decoded.axon.port == expected.port)
            #expect(decoded.axon.ipType == expected.ip_type)
            #expect(String(decoded.totalStakeRao) == expected.stake_rao)
            #expect(decoded.validatorPermit == expected.validator_permit)
            #expect(String(decoded.emission) == expected.emission)
            #expect(String(decoded.lastUpdate) == expected.last_update)
            #expect(decoded.rank == expected.rank)
        }
        let graph = neurons.map(\.neuron)
        #expect(graph[0].url == "http://10.0.0.7:8091")
        #expect(graph[0].stake == 1500)
        #expect(graph[0].validatorPermit)
        #expect(graph[0].hotkey == SS58.encode(publicKey: Array(repeating: 0x11, count: 32)))
        #expect(graph[1].url == "http://192.168.1.20:9001")
        #expect(graph[2].url == nil)
        #expect(graph[3].url == "http://[2001:db8:0:0:0:0:0:1]:443")
        #expect(try NeuronInfoLite.decodeVector(try Hex.decode(fixture.empty_hex)).isEmpty)
        #expect(SubtensorMetagraphSource(netuid: 19, rpc: NoRPC()).callArgument == fixture.netuid_param)
    }

    @Test func everyTruncationIsAnError() throws {
        let bytes = try Hex.decode(try Self.fixture().hex)
        for cut in 0..<bytes.count {
            #expect(throws: SCALEDecodingError.self) { try NeuronInfoLite.decodeVector(Array(bytes[0..<cut])) }
        }
        #expect(throws: SCALEDecodingError.trailingBytes(count: 1)) { try NeuronInfoLite.decodeVector(bytes + [0]) }
    }

    @Test func hostileLengthsAreRefusedWithoutAllocating() {
        // Compact length 2^30 neurons, then nothing.
        #expect(throws: SCALEDecodingError.self) { try NeuronInfoLite.decodeVector([0x03, 0, 0, 0, 0x40]) }
        #expect(throws: SCALEDecodingError.self) { try NeuronInfoLite.decodeVector([0xff] + Array(repeating: 0xff, count: 68)) }
    }

    /// Random byte flips either decode to a complete list or throw; never crash.
    @Test func mutationsNeverCrash() async throws {
        let bytes = try Hex.decode(try Self.fixture().hex)
        await propertyCheck(input: Gen.int(in: 0...(bytes.count - 1)).array(of: 1...6), Gen.int(in: 0...255)) { positions, value in
            var mutated = bytes
            for p in positions { mutated[p] = UInt8(truncatingIfNeeded: value &+ p) }
            if let neurons = try? NeuronInfoLite.decodeVector(mutated) {
                #expect(neurons.count <= 4 || neurons.allSatisfy { $0.hotkey.count == 32 })
            }
        }
    }

    @Test func randomBytesNeverCrash() async {
        await propertyCheck(input: Gen.int(in: 0...255).array(of: 0...400)) { raw in
            _ = try? NeuronInfoLite.decodeVector(raw.map { UInt8($0) })
        }
    }

    struct NoRPC: SubtensorRPC {
        func call(method: String, params: [String]) async throws -> String { throw SubtensorError.connection("none") }
    }
}
