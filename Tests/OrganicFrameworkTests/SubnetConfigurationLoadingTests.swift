import Foundation
import OrganicTestKit
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework

/// The miner-protocol, subnet and listener settings load from YAML and the environment like
/// every other setting (and typos are refused).
@Suite("Subnet and protocol settings from YAML")
struct SubnetConfigurationLoadingTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("organic-subnets-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("subnets, protocols, synapses and listener limits from a file; the environment overrides")
    func loads() throws {
        let path = try Self.write("""
            server: { idleTimeoutSeconds: 12, bodyTimeoutSeconds: 34, maxConnections: 500, maxBufferedRequestBytes: 2097152 }
            dispatch:
              minerProtocol: epistula/2
              endpoints:
                text-embeddings:
                  minerProtocol: axon
                  synapse: { name: TextEmbeddings, requiredHashFields: [input, dimensions] }
            subnets:
              - name: sn19
                plugins: [vision]
                netuid: 19
                minerProtocol: fiber/1
                node: { wallet: validator, hotkey: sn19 }
                miners: [{ uid: 3, hotkey: 5F3sa2TJAWMqDhXG6jhV4N8ko9SxwGy8TpaNS1repo5EYjQX, url: "http://10.0.0.3:8091" }]
            """)
        let config = try ConfigurationLoader(environment: ["ORGANIC_SERVER_MAX_CONNECTIONS": "700"]).load(path: path)
        #expect(config.server.idleTimeoutSeconds == 12 && config.server.bodyTimeoutSeconds == 34)
        #expect(config.server.maxConnections == 700, "the environment wins")
        #expect(config.server.maxBufferedRequestBytes == 2 << 20)
        #expect(config.dispatch.minerProtocol == .epistula)
        #expect(config.dispatch.endpoints["text-embeddings"]?.minerProtocol == .axonSynapse)
        #expect(config.dispatch.endpoints["text-embeddings"]?.synapse == SynapseDescription(name: "TextEmbeddings", requiredHashFields: ["input", "dimensions"]))
        let subnet = try #require(config.subnets.first)
        #expect(subnet.name == "sn19" && subnet.plugins == ["vision"] && subnet.netuid == 19 && subnet.minerProtocol == .fiber1)
        #expect(subnet.node?.hotkey == "sn19" && subnet.miners?.first?.uid == 3)

        let wrong = try Self.write("dispatch: { minerProtocol: fiber/3 }\n")
        #expect(throws: ConfigurationError.self, "an unknown protocol") { try ConfigurationLoader(environment: [:]).load(path: wrong) }
        let setter = try Self.write("weights: { setter: chain-please }\n")
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: setter)
            Issue.record("an unknown weights.setter loaded")
        } catch {
            #expect(error.description.contains("weights.setter"), "\(error)")
        }
        let typo = try Self.write("subnets: [{ plugins: [vision], minerProtocl: axon }]\n")
        #expect(throws: ConfigurationError.self, "a misspelt subnet key") { try ConfigurationLoader(environment: [:]).load(path: typo) }
    }

    @Test("listener limits are checked")
    func checked() throws {
        for change in [{ (c: inout NodeConfiguration) in c.server.idleTimeoutSeconds = 0 }, { $0.server.bodyTimeoutSeconds = -1 },
                       { $0.server.maxConnections = 0 }, { $0.server.maxBufferedRequestBytes = 1000 }] {
            var configuration = PluginHarness.testConfiguration()
            change(&configuration)
            #expect(throws: ConfigurationError.self) { try OrganicNode.checked(configuration, plugins: [try TextEmbeddingPlugin()]) }
        }
    }
}
