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
    @Option(help: "Requests served at once on each endpoint; more get 429.") var capacity = 16
    @Option(name: .customLong("capacity-for"),
            help: "Requests served at once on one endpoint, as ENDPOINT=N (repeatable); overrides --capacity there. Declared to validators when the plugin supports it.")
    var capacityFor: [String] = []
    @Option(help: "Seed of the per-miner hardware noise; omit for exact answers.") var noiseSeed: UInt64?
    @Flag(help: "Misbehave (same as --fault-mode mixed).") var faulty = false
    @Option(help: "How to misbehave: \(FaultMode.allCases.map(\.rawValue).joined(separator: ", ")).") var faultMode: FaultMode?
    @Option(help: "Delay of slow answers, in seconds.") var slowDelay = 30.0
    @Option(help: "Log level.") var logLevel = "info"
    @Option(help: "Forward every request to this inference worker (e.g. a GPU server) instead of the built-in reference implementation; see Docs/Miner.md.")
    var forwardTo: String?
    @Option(help: "Wallet name whose hotkey is this miner's identity (turns on signature verification).") var wallet: String?
    @Option(help: "Hotkey name inside the wallet.") var hotkey: String?
    @Option(help: "Wallets directory (default ~/.bittensor/wallets).") var walletPath: String?
    @Option(help: "Hotkey from a 32-byte seed in hex instead of a wallet (tests and local networks).") var seedHex: String?
    @Flag(help: "Serve unsigned requests from anyone, even with a hotkey (open mode).") var open = false
    @Option(help: "Accept signed requests from this validator hotkey (SS58); repeatable. An allow-list instead of the chain.")
    var validator: [String] = []
    @Option(help: "Subtensor WebSocket URL to read the metagraph from, e.g. wss://entrypoint-finney.opentensor.ai:443.") var subtensor: String?
    @Option(help: "Subnet netuid (with --subtensor).") var netuid: UInt16?
    @Option(help: "Smallest stake (TAO) a validator needs.") var minStake = 0.0
    @Flag(help: "Accept senders without a validator permit.") var allowNoPermit = false

    func validate() throws {
        if let forwardTo, !(forwardTo.hasPrefix("http://") || forwardTo.hasPrefix("https://")) {
            throw ValidationError("--forward-to must be an http:// or https:// URL")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1") }
        _ = try endpointCapacities()
        guard BundledPlugins.catalog.type(named: plugin) != nil else {
            throw ValidationError("unknown plugin '\(plugin)'; available: \(BundledPlugins.catalog.names.joined(separator: ", "))")
        }
        guard (wallet == nil) == (hotkey == nil) else { throw ValidationError("--wallet and --hotkey go together") }
        guard seedHex == nil || wallet == nil else { throw ValidationError("give --seed-hex or --wallet/--hotkey, not both") }
        guard (subtensor == nil) == (netuid == nil) else { throw ValidationError("--subtensor and --netuid go together") }
    }

    /// `--capacity-for` as a dictionary; each value at least 1.
    func endpointCapacities() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for item in capacityFor {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]), value >= 1 else {
                throw ValidationError("--capacity-for takes ENDPOINT=N with N at least 1, not '\(item)'")
            }
            result[parts[0]] = value
        }
        return result
    }

    /// This miner's hotkey, if one was given.
    func loadHotkey() throws -> Sr25519Keypair? {
        if let seedHex {
            do { return try Sr25519Keypair(miniSecretSeedHex: seedHex) } catch { throw ValidationError("--seed-hex: \(error)") }
        }
        guard let wallet, let hotkey else { return nil }
        var identity = NodeConfiguration.Identity()
        identity.wallet = wallet
        identity.hotkey = hotkey
        identity.walletPath = walletPath
        return try NodeHotkey.load(identity)
    }

    /// The verifier (nil in open mode) and the service keeping its validator list current.
    func makeVerifier(hotkey: Sr25519Keypair?, logger: Logger) throws -> (SignedRequestVerifier, SenderDirectory)? {
        if open {
            logger.warning("open mode: serving unsigned requests from anyone (--open)")
            return nil
        }
        guard let hotkey else {
            logger.notice("no hotkey (--wallet/--hotkey or --seed-hex): serving unsigned requests from anyone")
            return nil
        }
        let directory: SenderDirectory
        if let subtensor, let netuid {
            let rpc = WebSocketSubtensorRPC(url: subtensor, logger: logger)
            directory = SenderDirectory(source: SubtensorMetagraphSource(netuid: netuid, rpc: rpc), logger: logger)
        } else if !validator.isEmpty {
            directory = SenderDirectory.fixed(validators: validator, stake: .greatestFiniteMagnitude, logger: logger)
        } else {
            throw ValidationError("with a hotkey the miner verifies senders: give --subtensor URL --netuid N, or --validator HOTKEY, or --open")
        }
        var policy = SignedRequestVerifier.Policy(selfHotkey: hotkey.ss58Address)
        policy.minimumStake = minStake
        policy.requireValidatorPermit = !allowNoPermit
        logger.info("verifying signed requests (btauth/1, Epistula v2)", metadata: ["hotkey": "\(hotkey.ss58Address)"])
        return (SignedRequestVerifier(policy: policy, directory: directory), directory)
    }

    func run() async throws {
        var logger = Logger(label: "organic-miner")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var plugins = NodeConfiguration.Plugins()
        plugins.enabled = [plugin]
        let loaded = try BundledPlugins.catalog.instantiate(plugins)
        let handlers: [any MinerHandler]
        if let forwardTo {
            handlers = ForwardingMiners.handlers(for: loaded, workerURL: forwardTo)
        } else {
            handlers = loaded.flatMap { $0.referenceMiners(options: .init(hardwareNoiseSeed: noiseSeed)) }
        }
        let mode = faultMode ?? (faulty ? .mixed : nil)
        let faults: MinerFaults = switch mode {
        case nil: .none
        case .mixed?: MinerFaults(wrongAnswerRate: 0.6, errorRate: 0.2, slowRate: 0.1, slowDelaySeconds: slowDelay)
        case .wrong?: .alwaysWrong
        case .error?: .alwaysError
        case .slow?: .alwaysSlow(slowDelay)
        }
        let capacities = try endpointCapacities()
        let served = Set(handlers.map { $0.endpoint.descriptor.name })
        if let unknown = capacities.keys.sorted().first(where: { !served.contains($0) }) {
            throw ValidationError("--capacity-for names '\(unknown)', which \(plugin) does not serve (\(served.sorted().joined(separator: ", ")))")
        }
        let declaration = loaded.lazy.compactMap { $0.capacityDeclaration }.first
        let verification = try makeVerifier(hotkey: try loadHotkey(), logger: logger)
        let app = ReferenceMinerServer.application(
            handlers: handlers,
            options: .init(host: host, port: port, capacity: capacity, faults: faults, verifier: verification?.0,
                           endpointCapacities: capacities, capacityDeclaration: declaration), logger: logger)
        logger.info("serving", metadata: ["plugin": "\(plugin)", "address": "\(host):\(port)",
                                          "routes": "\(handlers.map { $0.endpoint.descriptor.minerPath })", "faults": "\(mode?.rawValue ?? "none")"])
        var services: [any Service] = [app]
        if let directory = verification?.1 { services.insert(directory, at: 0) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        try await group.run()
    }
}
