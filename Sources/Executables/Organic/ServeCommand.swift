import ArgumentParser
import Foundation
import Logging
import OrganicBundledPlugins
import OrganicFramework

/// `organic serve`: runs a validator node from a configuration file.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a validator node until SIGINT or SIGTERM.",
        discussion: "Settings come from defaults, then the file, then ORGANIC_* environment variables (`organic config env` lists them).")

    @Option(name: .long, help: "YAML configuration file (defaults to $ORGANIC_CONFIG, else built-in defaults).")
    var config: String?

    func run() async throws {
        ProcessHeap.configureForServing()
        let path = config ?? ProcessInfo.processInfo.environment["ORGANIC_CONFIG"]
        let configuration: NodeConfiguration
        let plugins: [any SubnetPlugin]
        do {
            configuration = try ConfigurationLoader().load(path: path)
            plugins = try BundledPlugins.catalog.instantiate(configuration.plugins)
        } catch {
            throw ValidationError("\(error)")
        }
        let logger = makeLogger(label: "organic", level: configuration.logging.level)
        if configuration.miners.isEmpty {
            logger.warning("no miners configured: add a `miners:` list (see Docs/OperatorGuide.md)")
        }
        var node = try OrganicNode(configuration: configuration, plugins: plugins, logger: logger)
        node.hotkey = try NodeHotkey.load(configuration.node) {
            try PasswordPrompt.password(for: "\(configuration.node.wallet ?? "")/\(configuration.node.hotkey ?? "")")
        }
        logger.info("starting node", metadata: [
            "public": "\(configuration.server.host):\(configuration.server.port)",
            "plugins": "\(plugins.map { type(of: $0).name })", "database": "\(configuration.database.path)",
        ])
        node.additionalServices.append(HeapTrimService(clock: node.clock, logger: logger))
        try await node.run()
        logger.info("node stopped cleanly")
    }
}
