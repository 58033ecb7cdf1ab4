import ArgumentParser
import Foundation
import Logging
import OrganicFramework
import WordCountPlugin

/// `wordcount-node`: a validator node serving this package's plugin, like `organic serve`.
@main
struct WordCountNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wordcount-node",
        abstract: "Run a validator node serving the word-count plugin until SIGINT or SIGTERM.",
        discussion: "Settings come from defaults, then the file, then ORGANIC_* environment variables, as for `organic serve`.")

    /// The plugins this node serves. Add more plugin types here (a bundled one such as
    /// `TextEmbeddingPlugin` needs its product as a dependency); each is configured under
    /// `plugins.settings.<name>` and can be switched off with `plugins.enabled`.
    static let catalog = PluginCatalog([WordCountPlugin.self])

    @Option(help: "YAML configuration file (defaults to $ORGANIC_CONFIG, else built-in defaults).")
    var config: String?

    @Flag(help: "Check the configuration as a starting node would, then exit.")
    var check = false

    func run() async throws {
        let path = config ?? ProcessInfo.processInfo.environment["ORGANIC_CONFIG"]
        let configuration: NodeConfiguration
        let plugins: [any SubnetPlugin]
        do {
            configuration = try ConfigurationLoader().load(path: path)
            plugins = try Self.catalog.instantiate(configuration.plugins)
        } catch {
            throw ValidationError("\(error)")
        }
        var logger = Logger(label: "wordcount-node")
        logger.logLevel = configuration.logging.level
        if check {
            do { try OrganicNode.check(configuration, plugins: plugins, logger: logger) } catch { throw ValidationError("\(error)") }
            print("configuration OK: \(plugins.flatMap { $0.endpoints.map(\.descriptor.name) }.joined(separator: ", "))")
            return
        }
        if configuration.miners.isEmpty && configuration.chain.endpoint == nil {
            logger.warning("no miners configured: add a `miners:` list or a `chain:` section")
        }
        // The node loads node.wallet/node.hotkey itself; an encrypted hotkey's password is read
        // from ORGANIC_WALLET_PASSWORD (there is no prompt here).
        ProcessHeap.configureForServing()
        var node = try OrganicNode(configuration: configuration, plugins: plugins, logger: logger)
        node.additionalServices.append(HeapTrimService(clock: node.clock, logger: logger))
        logger.info("starting node", metadata: [
            "public": "\(configuration.server.host):\(configuration.server.port)",
            "plugins": "\(plugins.map { type(of: $0).name })", "database": "\(configuration.database.path)",
        ])
        try await node.run()
        logger.info("node stopped cleanly")
    }
}
