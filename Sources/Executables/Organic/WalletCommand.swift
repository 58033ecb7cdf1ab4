import ArgumentParser
import OrganicFramework

/// `organic wallet`: inspect Bittensor wallet hotkeys (never prints secrets).
struct WalletCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet", abstract: "Inspect Bittensor wallet hotkeys.", subcommands: [ShowCommand.self])

    struct ShowCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print a hotkey's SS58 address and public key (never the secret).",
            discussion: "Encrypted ($NACL) hotkeys need the password: ORGANIC_WALLET_PASSWORD, or a prompt on a terminal.")
        @Option(help: "Wallet (coldkey directory) name.") var wallet: String
        @Option(help: "Hotkey name.") var hotkey: String
        @Option(help: "Wallets directory (default ~/.bittensor/wallets).") var walletPath: String?

        func run() throws {
            let path = BittensorWallet.hotkeyPath(wallet: wallet, hotkey: hotkey, walletPath: walletPath)
            let info: BittensorWallet.PublicInfo
            do {
                info = try BittensorWallet.publicInfo(at: path) { try PasswordPrompt.password(for: path) }
            } catch let error as KeyfileError {
                throw ValidationError("\(error)")
            }
            print("path:        \(path)")
            print("ss58Address: \(info.ss58Address)")
            print("publicKey:   \(Hex.encode(info.publicKey, prefix0x: true))")
            print("encrypted:   \(info.encrypted)")
        }
    }
}
