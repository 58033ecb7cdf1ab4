import ArgumentParser
import Foundation
import Logging
import OrganicBundledPlugins
import OrganicFramework

/// `organic openapi`: prints the OpenAPI description generated from the enabled plugins.
struct OpenAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the OpenAPI 3.1 description of the public API, generated from the plugins.")

    @Option(help: "YAML configuration file (selects plugins and per-endpoint overrides).") var config: String?

    func run() async throws {
        let configuration: NodeConfiguration
        let plugins: [any SubnetPlugin]
        do {
            configuration = try ConfigurationLoader().load(path: config)
            plugins = try BundledPlugins.catalog.instantiate(configuration.plugins)
        } catch {
            throw ValidationError("\(error)")
        }
        let node = try OrganicNode(configuration: configuration, plugins: plugins, logger: Logger(label: "organic"))
        let document = try await node.openAPIDocument()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(document), as: UTF8.self))
    }
}
