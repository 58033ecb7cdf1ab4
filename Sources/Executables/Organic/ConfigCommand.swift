import ArgumentParser
import Foundation
import OrganicBundledPlugins
import OrganicFramework

/// `organic config`: inspect and check configuration.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect and check node configuration.",
        subcommands: [Check.self, Env.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load a configuration, report errors, print the result as JSON.")
        @Option(help: "YAML configuration file.") var config: String?

        func run() async throws {
            do {
                var loaded = try ConfigurationLoader().load(path: config)
                let plugins = try BundledPlugins.catalog.instantiate(loaded.plugins)
                try OrganicNode.check(loaded, plugins: plugins, logger: makeLogger(label: "organic-config", level: .warning))
                if !loaded.admin.token.isEmpty { loaded.admin.token = "(set, not shown)" }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(loaded), as: UTF8.self))
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    struct Env: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every ORGANIC_* environment variable with its effective value.")
        @Option(help: "YAML configuration file.") var config: String?

        func run() async throws {
            let loaded: NodeConfiguration
            do { loaded = try ConfigurationLoader().load(path: config) } catch { throw ValidationError("\(error)") }
            for (name, value) in ConfigurationLoader.environmentVariables(of: loaded) {
                // Secrets are named, not shown.
                print(name == "ORGANIC_ADMIN_TOKEN" && value != #""""# ? "\(name)=(set, not shown)" : "\(name)=\(value)")
            }
        }
    }
}
