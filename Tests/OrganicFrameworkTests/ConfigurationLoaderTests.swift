import Foundation
import OrganicFramework
import Testing

@Suite("Configuration")
struct ConfigurationLoaderTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("organic-config-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("defaults apply when nothing is given")
    func defaults() throws {
        let config = try ConfigurationLoader(environment: [:]).load(path: nil)
        #expect(config.server.port == 8080)
        #expect(config.server.host == "127.0.0.1")
        #expect(config.dispatch.minersPerQuery == 2)
        #expect(config.database.path == "data/organic.sqlite")
    }

    @Test("the file overrides defaults and the environment overrides the file")
    func precedence() throws {
        let path = try write("""
            server:
              port: 9000
            dispatch:
              minersPerQuery: 3
            miners:
              - uid: 1
                hotkey: abc
                url: http://127.0.0.1:9001
            plugins:
              settings:
                vision:
                  maxPromptLength: 500
            """)
        let env = ["ORGANIC_SERVER_PORT": "9100", "ORGANIC_SYNTHETIC_ENABLED": "false", "ORGANIC_DATABASE_PATH": "/tmp/x.sqlite"]
        let config = try ConfigurationLoader(environment: env).load(path: path)
        #expect(config.server.port == 9100)
        #expect(config.dispatch.minersPerQuery == 3)
        #expect(config.synthetic.enabled == false)
        #expect(config.database.path == "/tmp/x.sqlite")
        #expect(config.miners == [StaticMiner(uid: 1, hotkey: "abc", url: "http://127.0.0.1:9001")])
        #expect(config.plugins.settings["vision"] == .object(["maxPromptLength": .integer(500)]))
    }

    @Test("optional settings that are unset by default can be set from the file and the environment")
    func optionalSettings() throws {
        let path = try write("node:\n  validatorUID: 3\ndispatch:\n  stakeProportionalCapacity: false\n")
        let fromFile = try ConfigurationLoader(environment: [:]).load(path: path)
        #expect(fromFile.node.validatorUID == 3)
        #expect(fromFile.dispatch.stakeProportionalCapacity == false)
        let fromEnv = try ConfigurationLoader(environment: ["ORGANIC_DISPATCH_STAKE_PROPORTIONAL_CAPACITY": "true",
                                                            "ORGANIC_NODE_VALIDATOR_UID": "9"]).load(path: nil)
        #expect(fromEnv.dispatch.stakeProportionalCapacity == true)
        #expect(fromEnv.node.validatorUID == 9)
        let names = ConfigurationLoader.environmentVariables(of: NodeConfiguration()).map(\.name)
        #expect(names.contains("ORGANIC_DISPATCH_STAKE_PROPORTIONAL_CAPACITY"))
        #expect(names.contains("ORGANIC_NODE_VALIDATOR_UID"))
        #expect(names.contains("ORGANIC_ADMIN_TOKEN_SHA256"))
    }

    @Test("a typo in the file is an error that names the setting")
    func unknownKey() throws {
        let path = try write("server:\n  prot: 9000\n")
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader(environment: [:]).load(path: path) }
        do { _ = try ConfigurationLoader(environment: [:]).load(path: path) } catch {
            #expect(error.description.contains("server.prot"))
        }
    }

    @Test("an unknown ORGANIC_ variable is an error")
    func unknownVariable() {
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader(environment: ["ORGANIC_SERVER_PROT": "1"]).load(path: nil) }
    }

    @Test("a wrong type names the setting")
    func wrongType() throws {
        let path = try write("server:\n  port: lots\n")
        do {
            _ = try ConfigurationLoader(environment: [:]).load(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("server.port"))
        }
    }

    @Test("the log level is one of swift-log's levels, from the file or the environment; another word names the setting")
    func logLevel() throws {
        #expect(try ConfigurationLoader(environment: [:]).load(path: try write("logging: { level: debug }\n")).logging.level == .debug)
        #expect(try ConfigurationLoader(environment: ["ORGANIC_LOGGING_LEVEL": "warning"]).load(path: nil).logging.level == .warning)
        for (path, environment) in [(try write("logging: { level: verbose }\n"), [:]), (nil, ["ORGANIC_LOGGING_LEVEL": "loud"])] {
            do {
                _ = try ConfigurationLoader(environment: environment).load(path: path)
                Issue.record("expected an error")
            } catch {
                #expect(error.description.contains("logging.level"))
            }
        }
    }

    @Test("every setting has an environment variable")
    func environmentListing() {
        let names = ConfigurationLoader.environmentVariables(of: NodeConfiguration()).map(\.name)
        #expect(names.contains("ORGANIC_DISPATCH_MINERS_PER_QUERY"))
        #expect(names.contains("ORGANIC_ADMIN_PORT"))
        #expect(names.contains("ORGANIC_MINERS"))
    }

    @Test("static miners are checked")
    func staticMiners() {
        #expect(throws: ConfigurationError.self) {
            try StaticMetagraphSource(miners: [StaticMiner(uid: 1, hotkey: "a", url: "ftp://x")])
        }
        #expect(throws: ConfigurationError.self) {
            try StaticMetagraphSource(miners: [StaticMiner(uid: 1, hotkey: "a", url: "http://x"), StaticMiner(uid: 1, hotkey: "b", url: "http://y")])
        }
    }
}

@Suite("Configuration: Bittensor settings")
struct BittensorConfigurationTests {
    @Test("wallet, signing and chain settings load from YAML and the environment")
    func bittensorSettings() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("organic-chain-\(UUID().uuidString).yaml").path
        try "node:\n  validatorUID: 3\n  wallet: val\n  hotkey: hk\ndispatch:\n  signing: epistula\nchain:\n  endpoint: ws://127.0.0.1:9944\n  netuid: 19\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader(environment: ["ORGANIC_NODE_WALLET_PATH": "/tmp/w", "ORGANIC_CHAIN_VERSION_KEY": "7"]).load(path: path)
        #expect(configuration.node.validatorUID == 3)
        #expect(configuration.node.wallet == "val")
        #expect(configuration.node.hotkey == "hk")
        #expect(configuration.node.walletPath == "/tmp/w")
        #expect(configuration.dispatch.signing == .epistula)
        #expect(configuration.chain.endpoint == "ws://127.0.0.1:9944")
        #expect(configuration.chain.netuid == 19)
        #expect(configuration.chain.versionKey == 7)
        let names = ConfigurationLoader.environmentVariables(of: NodeConfiguration()).map(\.name)
        #expect(names.contains("ORGANIC_NODE_WALLET"))
        #expect(names.contains("ORGANIC_CHAIN_ENDPOINT"))
        #expect(names.contains("ORGANIC_DISPATCH_SIGNING"))
    }
}
