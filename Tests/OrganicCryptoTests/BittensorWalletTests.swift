import Foundation
import Testing
@testable import OrganicCrypto

@Suite("Bittensor wallet keyfiles")
struct BittensorWalletTests {
    static let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Cheap Argon2i parameters so round-trip tests stay fast; the real parameters are
    /// exercised once against a file written by bittensor's own code.
    static let fastKDF = NaClKeyfile.KeyDerivation(salt: NaClKeyfile.KeyDerivation.bittensor.salt, opsLimit: 3, memLimit: 8192 * 1024)

    func temporaryWallets() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("organic-wallets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    func write(_ bytes: [UInt8], wallets: String, wallet: String, hotkey: String) throws {
        let path = BittensorWallet.hotkeyPath(wallet: wallet, hotkey: hotkey, walletPath: wallets)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func loadsPlainHotkeyFromStandardLayout() throws {
        let wallets = try temporaryWallets()
        let seed = Array(repeating: UInt8(7), count: 32)
        try write(BittensorWallet.keyfileJSON(seed: seed), wallets: wallets, wallet: "validator", hotkey: "default")
        let keypair = try BittensorWallet.loadHotkey(wallet: "validator", hotkey: "default", walletPath: wallets) {
            Issue.record("no password needed for a plain keyfile")
            return nil
        }
        #expect(keypair.publicKey == (try Sr25519Keypair(miniSecretSeed: seed)).publicKey)
    }

    @Test func rejectsInconsistentOrIncompleteFiles() throws {
        let other = try Sr25519Keypair(miniSecretSeed: Array(repeating: 9, count: 32))
        let mismatched = "{\"secretSeed\":\"0x\(String(repeating: "07", count: 32))\",\"publicKey\":\"\(Hex.encode(other.publicKey, prefix0x: true))\"}"
        #expect(throws: KeyfileError.self) { try BittensorWallet.keypair(fromKeyfileJSON: Array(mismatched.utf8)) }
        #expect(throws: KeyfileError.self) { try BittensorWallet.keypair(fromKeyfileJSON: Array("{\"ss58Address\":\"x\"}".utf8)) }
        #expect(throws: KeyfileError.self) { try BittensorWallet.keypair(fromKeyfileJSON: Array("not json".utf8)) }
        #expect(throws: KeyfileError.notFound("/nonexistent/w/hotkeys/h")) {
            try BittensorWallet.loadHotkey(wallet: "w", hotkey: "h", walletPath: "/nonexistent") { nil }
        }
    }

    @Test func encryptedRoundTripAndWrongPassword() throws {
        let plain = Array("{\"hello\":1}".utf8)
        let sealed = try NaClKeyfile.encrypt(plain, password: "pw", derivation: Self.fastKDF)
        #expect(NaClKeyfile.isEncrypted(sealed))
        #expect(try NaClKeyfile.decrypt(sealed, password: "pw", derivation: Self.fastKDF) == plain)
        #expect(throws: KeyfileError.wrongPassword) { try NaClKeyfile.decrypt(sealed, password: "nope", derivation: Self.fastKDF) }
        #expect(throws: KeyfileError.self) { try NaClKeyfile.decrypt(Array(sealed.prefix(20)), password: "pw", derivation: Self.fastKDF) }
    }

    @Test func encryptedKeyfileWithoutPasswordAsksAndFailsClearly() throws {
        let wallets = try temporaryWallets()
        // Any $NACL blob: the password check happens before decryption.
        try write(NaClKeyfile.marker + Array(repeating: 0, count: 60), wallets: wallets, wallet: "w", hotkey: "h")
        #expect(throws: KeyfileError.self) { try BittensorWallet.loadHotkey(wallet: "w", hotkey: "h", walletPath: wallets) { nil } }
    }

    /// A `$NACL` hotkey written by bittensor's own keyfile code (Argon2i "sensitive":
    /// 8 passes over 512 MiB, so this one test takes a few seconds).
    @Test func decryptsKeyfileWrittenByBittensor() throws {
        let data = try Data(contentsOf: Self.fixturesDirectory.appendingPathComponent("nacl_hotkey.json"))
        let fixture = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        let sealed = try Hex.decode(try #require(fixture["keyfile_hex"]))
        let plain = try NaClKeyfile.decrypt(sealed, password: try #require(fixture["password"]))
        let keypair = try BittensorWallet.keypair(fromKeyfileJSON: plain)
        #expect(keypair.ss58Address == fixture["ss58"])
    }

    /// A wallet created by the official `bittensor-wallet` loads to the same address, and
    /// its hotkey's signatures verify here.
    @Test(.enabled(if: PythonPeer.python != nil)) func loadsWalletCreatedByBittensorWallet() async throws {
        let wallets = try temporaryWallets()
        let out = try await PythonPeer.run(script: "make_wallet.py", [wallets, "organic", "hk"])
        let json = try #require(try JSONSerialization.jsonObject(with: out) as? [String: String])
        let keypair = try BittensorWallet.loadHotkey(wallet: "organic", hotkey: "hk", walletPath: wallets) { nil }
        #expect(keypair.ss58Address == json["ss58"])
        let signature = try Hex.decode(try #require(json["signature_hex"]))
        let message = try Hex.decode(try #require(json["message_hex"]))
        #expect(Sr25519.verify(signature: signature, message: message, publicKey: keypair.publicKey))
    }
}
