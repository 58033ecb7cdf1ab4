import ArgumentParser
import Logging
import OrganicBundledPlugins
import OrganicFramework
import OrganicMinerKit
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

            --protocol picks the wire: plain JSON verified as btauth/1 or Epistula v2 (the default), unsigned, a Bittensor SDK 10 Axon (axon) or a fiber miner (fiber/1, fiber/2); axon and fiber need a hotkey and a validator source (Docs/Miner.md).
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
    @Option(name: .customLong("protocol"),
            help: "Wire protocol served: \(MinerProtocol.allCases.map(\.rawValue).joined(separator: ", ")) (default btauth/1: plain JSON, btauth/1 or Epistula v2 signatures). axon and fiber/* need a hotkey and --validator or --subtensor/--netuid.",
            transform: Self.parseProtocol)
    var minerProtocol: MinerProtocol = .btauth
    @Option(help: "Smallest stake (TAO) a validator needs (default: 1000 for fiber/1 and fiber/2, as fiber's own; 0 otherwise).")
    var minStake: Double?
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
        if let minStake, !(minStake >= 0 && minStake.isFinite) { throw ValidationError("--min-stake must be a non-negative number") }
        if minerProtocol.requiresHotkey {
            guard seedHex != nil || wallet != nil else {
                throw ValidationError("--protocol \(minerProtocol.rawValue) needs the miner's hotkey: give --seed-hex or --wallet/--hotkey")
            }
            guard !validator.isEmpty || subtensor != nil else {
                throw ValidationError("--protocol \(minerProtocol.rawValue) checks who sends requests: give --validator HOTKEY or --subtensor URL --netuid N")
            }
            guard !open else { throw ValidationError("--protocol \(minerProtocol.rawValue) has no open mode; drop --open") }
        }
    }

    static func parseProtocol(_ text: String) throws -> MinerProtocol {
        guard let parsed = MinerProtocol(rawValue: text) else {
            throw ValidationError("unknown protocol '\(text)'; one of \(MinerProtocol.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
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

    /// The registered senders: from the chain or the --validator allow-list; nil when neither is given.
    func makeDirectory(logger: Logger) -> SenderDirectory? {
        if let subtensor, let netuid {
            let rpc = WebSocketSubtensorRPC(url: subtensor, logger: logger)
            return SenderDirectory(source: SubtensorMetagraphSource(netuid: netuid, rpc: rpc), logger: logger)
        }
        if !validator.isEmpty {
            return SenderDirectory.fixed(validators: validator, stake: .greatestFiniteMagnitude, logger: logger)
        }
        return nil
    }

    /// How requests are checked under --protocol, and the service keeping the validator list current.
    struct Verification {
        var verifier: SignedRequestVerifier?
        var senders: ReferenceMinerServer.SenderPolicy?
        var directory: SenderDirectory?
    }

    func makeVerification(hotkey: Sr25519Keypair?, logger: Logger) throws -> Verification {
        switch minerProtocol {
        case .axonSynapse, .fiber1, .fiber2:
            // validate() made sure both are given.
            guard let hotkey, let directory = makeDirectory(logger: logger) else {
                throw ValidationError("--protocol \(minerProtocol.rawValue) needs a hotkey and --validator or --subtensor/--netuid")
            }
            let senders = ReferenceMinerServer.SenderPolicy(hotkey: hotkey.ss58Address, directory: directory, minimumStake: minStake,
                                                            requireValidatorPermit: !allowNoPermit)
            logger.info("verifying signed requests", metadata: [
                "protocol": "\(minerProtocol.rawValue)", "hotkey": "\(hotkey.ss58Address)", "min_stake": "\(minStake.map { "\($0)" } ?? "protocol default")",
            ])
            return Verification(senders: senders, directory: directory)
        case .unsigned:
            logger.warning("unsigned protocol: serving unsigned requests from anyone (--protocol unsigned)")
            return Verification()
        case .btauth, .epistula:
            if open {
                logger.warning("open mode: serving unsigned requests from anyone (--open)")
                return Verification()
            }
            guard let hotkey else {
                logger.notice("no hotkey (--wallet/--hotkey or --seed-hex): serving unsigned requests from anyone")
                return Verification()
            }
            guard let directory = makeDirectory(logger: logger) else {
                throw ValidationError("with a hotkey the miner verifies senders: give --subtensor URL --netuid N, or --validator HOTKEY, or --open")
            }
            var policy = SignedRequestVerifier.Policy(selfHotkey: hotkey.ss58Address)
            policy.minimumStake = minStake ?? 0
            policy.requireValidatorPermit = !allowNoPermit
            logger.info("verifying signed requests (btauth/1, Epistula v2)", metadata: ["hotkey": "\(hotkey.ss58Address)"])
            return Verification(verifier: SignedRequestVerifier(policy: policy, directory: directory), directory: directory)
        }
    }

    func run() async throws {
        LineLogHandler.bootstrapProcess()
        var logger = Logger(label: "organic-miner")
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        logger.logLevel = level
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
        let verification = try makeVerification(hotkey: try loadHotkey(), logger: logger)
        if minerProtocol == .axonSynapse, !handlers.contains(where: { $0.endpoint.descriptor.synapse != nil }) {
            throw ValidationError("\(plugin) names no synapse for any endpoint, so it cannot be served over the Axon protocol")
        }
        let app = ReferenceMinerServer.application(
            handlers: handlers,
            options: .init(host: host, port: port, capacity: capacity, faults: faults, verifier: verification.verifier,
                           endpointCapacities: capacities, capacityDeclaration: declaration,
                           minerProtocol: minerProtocol, senders: verification.senders), logger: logger)
        let routes = minerProtocol == .axonSynapse
            ? handlers.compactMap { $0.endpoint.descriptor.synapse.map { "/" + $0.name } }
            : handlers.map { $0.endpoint.descriptor.minerPath }
        logger.info("serving", metadata: ["plugin": "\(plugin)", "address": "\(host):\(port)", "protocol": "\(minerProtocol.rawValue)",
                                          "routes": "\(routes)", "faults": "\(mode?.rawValue ?? "none")"])
        var services: [any Service] = [app]
        if let directory = verification.directory { services.insert(directory, at: 0) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        try await group.run()
    }
}
