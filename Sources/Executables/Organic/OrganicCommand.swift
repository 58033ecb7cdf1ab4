import ArgumentParser

/// `organic`: the validator node and its operator tools.
@main
struct OrganicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organic",
        abstract: "Open a Bittensor subnet to organic traffic: serve paying API users, score miners, set weights.",
        discussion: """
            Start with `organic demo` for a local node with reference miners, or
            `organic serve --config organic.yaml` for a real one.
            """,
        subcommands: [DemoCommand.self, ServeCommand.self, KeysCommand.self, DatabaseCommand.self, ScoresCommand.self, WeightsCommand.self, ConfigCommand.self,
                      OpenAPICommand.self, ImageCommand.self, SynthCommand.self, VisionCommand.self, CryptoCommand.self, WalletCommand.self])
}
