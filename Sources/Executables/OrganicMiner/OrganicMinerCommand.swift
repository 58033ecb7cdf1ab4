import ArgumentParser
import Logging
import OrganicBundledPlugins
import OrganicFramework
import ServiceLifecycle

/// `organic-miner`: a reference miner serving a plugin's miner routes over HTTP.
@main
struct OrganicMinerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organic-miner",
        abstract: "Serve a plugin's miner endpoints over HTTP with its reference implementation (no GPU needed).",
        discussion: """
            Honest reference miners answer deterministically, so two of them agree. --noise-seed adds small
            per-miner differences like different hardware; --faulty makes the miner misbehave so scoring can be seen working.
            """)

    enum FaultMode: String, ExpressibleByArgument, CaseIterable {
        case mixed, wrong, error, slow
    }

    @Option(help: "Plugin to serve (\(BundledPlugins.catalog.names.joined(separator: ", "))).") var plugin: String
    @Option(help: "Interface to bind.") var host = "127.0.0.1"
    @Option(help: "TCP port.") var port: Int
    @Option(help: "Requests served at once; more get 429.") var capacity = 16
    @Option(help: "Seed of the per-miner hardware noise; omit for exact answers.") var noiseSeed: UInt64?
    @Flag(help: "Misbehave (same as --fault-mode mixed).") var faulty = false
    @Option(help: "How to misbehave: \(FaultMode.allCases.map(\.rawValue).joined(separator: ", ")).") var faultMode: FaultMode?
    @Option(help: "Delay of slow answers, in seconds.") var slowDelay = 30.0
    @Option(help: "Log level.") var logLevel = "info"

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1") }
        guard BundledPlugins.catalog.type(named: plugin) != nil else {
            throw ValidationError("unknown plugin '\(plugin)'; available: \(BundledPlugins.catalog.names.joined(separator: ", "))")
        }
    }

    func run() async throws {
        var logger = Logger(label: "organic-miner")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var plugins = NodeConfiguration.Plugins()
        plugins.enabled = [plugin]
        let loaded = try BundledPlugins.catalog.instantiate(plugins)
        let handlers = loaded.flatMap { $0.referenceMiners(options: .init(hardwareNoiseSeed: noiseSeed)) }
        let mode = faultMode ?? (faulty ? .mixed : nil)
        let faults: MinerFaults = switch mode {
        case nil: .none
        case .mixed?: MinerFaults(wrongAnswerRate: 0.6, errorRate: 0.2, slowRate: 0.1, slowDelaySeconds: slowDelay)
        case .wrong?: .alwaysWrong
        case .error?: .alwaysError
        case .slow?: .alwaysSlow(slowDelay)
        }
        let app = ReferenceMinerServer.application(
            handlers: handlers, options: .init(host: host, port: port, capacity: capacity, faults: faults), logger: logger)
        logger.info("serving", metadata: ["plugin": "\(plugin)", "address": "\(host):\(port)",
                                          "routes": "\(handlers.map { $0.endpoint.descriptor.minerPath })", "faults": "\(mode?.rawValue ?? "none")"])
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        try await group.run()
    }
}
