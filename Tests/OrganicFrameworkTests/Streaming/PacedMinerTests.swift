import Foundation
@testable import OrganicFramework
@testable import OrganicMinerKit
import OrganicTestKit
import Testing

/// A reference miner that spaces its events out as a GPU miner does, and the connections the
/// node may open to one miner.
@Suite("Paced miner and connections per miner", .serialized)
struct PacedMinerTests {
    @Test("a paced miner's stream reaches the caller whole: every chunk in order, then the end marker and the end")
    func pacedStream() async throws {
        let plugin = CounterStreamPlugin(chunkTimeout: .seconds(5))
        let miner = LocalNetwork.MinerSpec(capacity: 16, streamEventInterval: .milliseconds(2))
        try await PluginHarness.run(plugins: [plugin], miners: [miner], configuration: PluginHarness.testConfiguration()) { net in
            let key = try await net.createKey(KeyCreation(name: "paced", credits: 100))
            let port = try #require(URLComponents(string: net.publicURL)?.port)
            let client = try RawSSEClient(port: port)
            try client.post("/v1/counter", json: try JSONEncoder().encode(CounterRequest(count: 20)), headers: ["X-API-Key": key.key])
            #expect(try await client.head().status == 200)
            for n in 0..<20 {
                let event = try #require(try await client.nextEvent())
                #expect(try JSONDecoder().decode(CounterChunk.self, from: Data(event.data)).n == n)
            }
            #expect(try await client.nextEvent()?.text == "[DONE]")
            #expect(try await client.nextEvent() == nil)
            #expect(client.bodyComplete)
        }
    }

    @Test("the node may open as many connections to a miner as it may send it requests at once, within bounds")
    func connectionsPerMiner() {
        var configuration = NodeConfiguration()
        // Declarations are trusted up to 64 per endpoint by default.
        #expect(MinerConnectionLimit.perMiner(configuration, endpoints: 1) == 64)
        #expect(MinerConnectionLimit.perMiner(configuration, endpoints: 3) == 192)
        configuration.dispatch.endpoints["chat"] = NodeConfiguration.EndpointOverride()
        configuration.dispatch.endpoints["chat"]?.minerCapacity = 300
        #expect(MinerConnectionLimit.perMiner(configuration, endpoints: 2) == 600)
        configuration.miners = [StaticMiner(uid: 1, hotkey: "miner", url: "http://127.0.0.1:9", capacities: ["chat": 1_000])]
        #expect(MinerConnectionLimit.perMiner(configuration, endpoints: 2) == 2_000)
        configuration.miners[0].capacity = .max
        #expect(MinerConnectionLimit.perMiner(configuration, endpoints: 2) == MinerConnectionLimit.ceiling)
    }
}
