import Foundation

/// Hotkeys in the standard Bittensor wallet layout:
/// `<walletPath>/<wallet>/hotkeys/<hotkey>`, a JSON file (optionally `$NACL`-encrypted)
/// with `secretSeed`, `publicKey`, `ss58Address`, … as written by `bittensor-wallet`.
public enum BittensorWallet {
    /// `~/.bittensor/wallets`, the SDK's default.
    public static var defaultWalletPath: String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/.bittensor/wallets"
    }

    /// The hotkey file's path. A leading `~` in `walletPath` is expanded.
    public static func hotkeyPath(wallet: String, hotkey: String, walletPath: String? = nil) -> String {
        var base = walletPath ?? defaultWalletPath
        if base.hasPrefix("~") {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
            base = home + base.dropFirst()
        }
        while base.hasSuffix("/") && base.count > 1 { base.removeLast() }
        return "\(base)/\(wallet)/hotkeys/\(hotkey)"
    }

    /// The public part of a hotkey file, readable without the password when unencrypted.
    public struct PublicInfo: Sendable, Equatable {
        public var ss58Address: String
        public var publicKey: [UInt8]
        public var encrypted: Bool
    }

    /// Loads and checks a hotkey: the seed must give the file's public key and address.
    /// `password` is only called for encrypted files.
    public static func loadHotkey(wallet: String, hotkey: String, walletPath: String? = nil,
                                  password: () throws -> String?) throws -> Sr25519Keypair {
        let path = hotkeyPath(wallet: wallet, hotkey: hotkey, walletPath: walletPath)
        return try loadKeyfile(at: path, password: password)
    }

    /// Loads a keyfile at an explicit path.
    public static func loadKeyfile(at path: String, password: () throws -> String?) throws -> Sr25519Keypair {
        let json = try plaintext(at: path, password: password)
        return try keypair(fromKeyfileJSON: json)
    }

    /// Address and public key without touching the secret (decrypting only if needed).
    public static func publicInfo(at path: String, password: () throws -> String?) throws -> PublicInfo {
        guard let raw = FileManager.default.contents(atPath: path) else { throw KeyfileError.notFound(path) }
        let encrypted = NaClKeyfile.isEncrypted(Array(raw))
        let keypair = try keypair(fromKeyfileJSON: try plaintext(at: path, password: password))
        return PublicInfo(ss58Address: keypair.ss58Address, publicKey: keypair.publicKey, encrypted: encrypted)
    }

    static func plaintext(at path: String, password: () throws -> String?) throws -> [UInt8] {
        guard let raw = FileManager.default.contents(atPath: path) else { throw KeyfileError.notFound(path) }
        let bytes = Array(raw)
        guard NaClKeyfile.isEncrypted(bytes) else { return bytes }
        guard let secret = try password(), !secret.isEmpty else { throw KeyfileError.passwordRequired(path) }
        return try NaClKeyfile.decrypt(bytes, password: secret)
    }

    /// Parses the keyfile JSON and derives the keypair from `secretSeed`, cross-checking
    /// `publicKey` / `ss58Address` when present.
    public static func keypair(fromKeyfileJSON json: [UInt8]) throws -> Sr25519Keypair {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
                throw KeyfileError.malformed("not a JSON object")
            }
            object = parsed
        } catch let error as KeyfileError {
            throw error
        } catch {
            throw KeyfileError.malformed("not JSON (is it encrypted in a format other than $NACL?)")
        }
        guard let seedHex = object["secretSeed"] as? String else {
            if object["secretPhrase"] != nil {
                throw KeyfileError.malformed("only secretPhrase present; regenerate the file with bittensor-wallet (needs secretSeed)")
            }
            throw KeyfileError.malformed("no secretSeed (is this a public-only keyfile?)")
        }
        let keypair: Sr25519Keypair
        do { keypair = try Sr25519Keypair(miniSecretSeed: try Hex.decode(seedHex)) } catch {
            throw KeyfileError.malformed("secretSeed is not 32 bytes of hex")
        }
        if let publicHex = object["publicKey"] as? String, (try? Hex.decode(publicHex)) != keypair.publicKey {
            throw KeyfileError.mismatch("publicKey does not match secretSeed (not an sr25519 key?)")
        }
        if let address = object["ss58Address"] as? String, address != keypair.ss58Address,
           (try? SS58.decode(address).publicKey) != keypair.publicKey {
            throw KeyfileError.mismatch("ss58Address does not match secretSeed")
        }
        return keypair
    }

    /// The JSON a hotkey file holds (public fields plus the seed), for tests and tooling.
    public static func keyfileJSON(seed: [UInt8]) throws -> [UInt8] {
        let keypair = try Sr25519Keypair(miniSecretSeed: seed)
        let object: [String: String] = [
            "accountId": Hex.encode(keypair.publicKey, prefix0x: true),
            "publicKey": Hex.encode(keypair.publicKey, prefix0x: true),
            "secretSeed": Hex.encode(seed, prefix0x: true),
            "ss58Address": keypair.ss58Address,
        ]
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}
