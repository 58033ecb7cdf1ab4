import ArgumentParser
import Logging
import OrganicFramework
import OrganicMinerKit
import ServiceLifecycle
import WordCountPlugin

/// `wordcount-miner`: serves the plugin's reference miners over HTTP, like `organic-miner`.
@main
struct WordCountMinerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wordcount-miner",
        abstract: "Serve the word-count miner endpoint over HTTP with the reference implementation.",
        discussion: """
            Without a hotkey the miner answers anyone. With --wallet/--hotkey it answers only requests signed by a \
            validator: those given with --validator, or the metagraph's (--subtensor, --netuid). --open answers anyone anyway.
            """)

    enum FaultMode: String, ExpressibleByArgument, CaseIterable {
        case wrong, error, slow, mixed
    }

    @Option(help: "Interface to bind.") var host = "127.0.0.1"
    @Option(help: "TCP port.") var port: Int
    @Option(help: "Requests served at once; more get 429.") var capacity = 16
    @Option(help: "Misbehave so that scoring can be seen working.") var faultMode: FaultMode?
    @Option(help: "Log level.") var logLevel = "info"
    @Option(help: "Wallet name whose hotkey is this miner's identity (turns on signature verification).") var wallet: String?
    @Option(help: "Hotkey name inside the wallet.") var hotkey: String?
    @Option(help: "Wallets directory (default ~/.bittensor/wallets).") var walletPath: String?
    @Option(help: "Accept signed requests from this validator hotkey (SS58); repeatable.") var validator: [String] = []
    @Option(help: "Subtensor WebSocket URL to read the validators from.") var subtensor: String?
    @Option(help: "Subnet netuid (with --subtensor).") var netuid: UInt16?
    @Flag(help: "Answer unsigned requests from anyone, even with a hotkey.") var open = false

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1") }
        guard (wallet == nil) == (hotkey == nil) else { throw ValidationError("--wallet and --hotkey go together") }
        guard (subtensor == nil) == (netuid == nil) else { throw ValidationError("--subtensor and --netuid go together") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        var logger = Logger(label: "wordcount-miner")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info  // checked in validate()
        let plugin = try WordCountPlugin()
        let faults: MinerFaults = switch faultMode {
        case nil: .none
        case .wrong?: .alwaysWrong
        case .error?: .alwaysError
        case .slow?: .alwaysSlow(30)
        case .mixed?: .mixed
        }
        let verification = try makeVerifier(logger: logger)
        let app = ReferenceMinerServer.application(
            handlers: plugin.referenceMiners(options: .init()),
            options: .init(host: host, port: port, capacity: capacity, faults: faults, verifier: verification?.verifier,
                           capacityDeclaration: plugin.capacityDeclaration),
            logger: logger)
        // The validator directory is a service too: it keeps the list of accepted senders current.
        var services: [any Service] = [app]
        if let directory = verification?.directory { services.insert(directory, at: 0) }
        logger.info("serving", metadata: ["address": "\(host):\(port)", "faults": "\(faultMode?.rawValue ?? "none")"])
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)).run()
    }

    /// The signature check, or nil when this miner answers anyone.
    func makeVerifier(logger: Logger) throws -> (verifier: SignedRequestVerifier, directory: SenderDirectory)? {
        guard !open, let wallet, let hotkey else {
            logger.notice("answering unsigned requests from anyone (no --wallet/--hotkey, or --open)")
            return nil
        }
        var identity = NodeConfiguration.Identity()
        identity.wallet = wallet
        identity.hotkey = hotkey
        identity.walletPath = walletPath
        guard let keypair = try NodeHotkey.load(identity) else { return nil }
        let directory: SenderDirectory
        if let subtensor, let netuid {
            let source = SubtensorMetagraphSource(netuid: netuid, rpc: WebSocketSubtensorRPC(url: subtensor, logger: logger))
            directory = SenderDirectory(source: source, logger: logger)
        } else if !validator.isEmpty {
            directory = SenderDirectory.fixed(validators: validator, stake: .greatestFiniteMagnitude, logger: logger)
        } else {
            throw ValidationError("with a hotkey the miner checks senders: give --validator HOTKEY, or --subtensor URL --netuid N, or --open")
        }
        return (SignedRequestVerifier(policy: .init(selfHotkey: keypair.ss58Address), directory: directory), directory)
    }
}
