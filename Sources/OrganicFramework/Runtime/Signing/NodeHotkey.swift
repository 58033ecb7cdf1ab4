import Foundation
public import OrganicCrypto

/// Loads the node's hotkey as configured under `node.wallet` / `node.hotkey` / `node.walletPath`.
public enum NodeHotkey {
    /// Environment variable holding the password of an encrypted (`$NACL`) hotkey file.
    public static let passwordVariable = "ORGANIC_WALLET_PASSWORD"

    /// The configured hotkey, or nil when neither `wallet` nor `hotkey` is set. `prompt` is
    /// asked for the password only when the file is encrypted and the environment has none.
    public static func load(_ identity: NodeConfiguration.Identity,
                            environment: [String: String]? = nil,
                            prompt: () throws -> String? = { nil }) throws -> Sr25519Keypair? {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard identity.wallet != nil || identity.hotkey != nil else { return nil }
        guard let wallet = identity.wallet, let hotkey = identity.hotkey else {
            throw ConfigurationError("node.wallet and node.hotkey must be set together")
        }
        do {
            return try BittensorWallet.loadHotkey(wallet: wallet, hotkey: hotkey, walletPath: identity.walletPath) {
                if let password = environment[passwordVariable], !password.isEmpty { return password }
                return try prompt()
            }
        } catch let error as KeyfileError {
            throw ConfigurationError("cannot load hotkey \(wallet)/\(hotkey): \(error)")
        }
    }

    /// The signer for `scheme`, or nil for `.none`.
    public static func signer(_ keypair: Sr25519Keypair, scheme: RequestSigningScheme, clock: any NodeClock = SystemNodeClock()) -> (any RequestSigner)? {
        switch scheme {
        case .btauth: BTAuthRequestSigner(keypair: keypair, clock: clock)
        case .epistula: EpistulaRequestSigner(keypair: keypair, clock: clock)
        case .none: nil
        }
    }
}
