import Foundation
import Logging
import OrganicFramework
import TextEmbeddingPlugin
import Testing

/// `organic config check`: a configuration is judged as a starting node would judge it.
@Suite("Configuration check")
struct ConfigurationCheckTests {
    let logger = Logger(label: "config-check", factory: { _ in SwiftLogNoOpLogHandler() })

    func problem(_ edit: (inout NodeConfiguration) -> Void) throws -> String? {
        var configuration = NodeConfiguration()
        edit(&configuration)
        let plugins = [try TextEmbeddingPlugin()]
        do {
            try OrganicNode.check(configuration, plugins: plugins, logger: logger)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("the defaults pass")
    func defaultsPass() throws {
        #expect(try problem { _ in } == nil)
    }

    @Test("each mistake is reported with the setting at fault")
    func mistakesNamed() throws {
        #expect(try problem { $0.dispatch.minersPerQuery = 0 }?.contains("dispatch.minersPerQuery") == true)
        #expect(try problem { $0.dispatch.queues.maxWaitFraction = 0 }?.contains("dispatch.queues.maxWaitFraction") == true)
        #expect(try problem { $0.scoring.periodSeconds = 0 }?.contains("scoring.periodSeconds") == true)
        #expect(try problem {
            $0.admin.host = "0.0.0.0"
            $0.admin.token = ""
        }?.contains("admin.host") == true)
        #expect(try problem { $0.admin.token = "short" }?.contains("admin.token") == true)
        #expect(try problem {
            $0.miners = [StaticMiner(uid: 1, hotkey: "5F", url: "http://127.0.0.1:9001")]
            $0.miners[0].capacities = ["no-such-endpoint": 2]
        }?.contains("miners[0].capacities.no-such-endpoint") == true)
        #expect(try problem { $0.chain.setWeights = true }?.contains("chain.setWeights") == true)
        #expect(try problem { $0.chain.endpoint = "http://not-a-websocket" }?.contains("chain.endpoint") == true)
    }
}
