import ArgumentParser
import OrganicFramework

/// `organic crypto`: sr25519 keys, SS58 addresses and signatures, for operators and for
/// checking interoperability with other Bittensor tools by hand.
struct CryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "SS58 addresses and sr25519 signatures (substrate signing context).",
        subcommands: [SS58Command.self, SignCommand.self, VerifyCommand.self])

    struct SS58Command: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ss58", abstract: "Print the SS58 address (prefix 42 by default) of a public key.")
        @Option(help: "32-byte public key in hex (0x optional).") var publicKey: String
        @Option(help: "SS58 network prefix.") var prefix: UInt16 = 42

        func run() throws {
            let key = try decodeHex(publicKey, what: "--public-key")
            guard key.count == 32 else { throw ValidationError("--public-key must be 32 bytes, got \(key.count)") }
            print(SS58.encode(publicKey: key, prefix: prefix))
        }
    }

    struct SignCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign", abstract: "Sign a message with the sr25519 key of a 32-byte seed; prints the signature hex.")
        @Option(help: "32-byte mini secret seed in hex (as `secretSeed` in a wallet file).") var seed: String
        @Option(help: "Message as UTF-8 text.") var message: String?
        @Option(help: "Message as hex bytes.") var messageHex: String?

        func run() throws {
            let keypair: Sr25519Keypair
            do { keypair = try Sr25519Keypair(miniSecretSeed: try decodeHex(seed, what: "--seed")) } catch let error as CryptoError {
                throw ValidationError("--seed: \(error)")
            }
            let bytes = try messageBytes(text: message, hex: messageHex)
            print(Hex.encode(keypair.sign(bytes), prefix0x: true))
        }
    }

    struct VerifyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Verify an sr25519 signature; exits 0 when valid, 1 when not.")
        @Option(help: "Signer's SS58 address.") var ss58: String
        @Option(help: "Message as UTF-8 text.") var message: String?
        @Option(help: "Message as hex bytes.") var messageHex: String?
        @Option(help: "64-byte signature in hex (0x optional).") var signature: String

        func run() throws {
            let key: [UInt8]
            do { key = try SS58.decode(ss58).publicKey } catch { throw ValidationError("--ss58: \(error)") }
            let bytes = try messageBytes(text: message, hex: messageHex)
            let signatureBytes = try decodeHex(signature, what: "--signature")
            if Sr25519.verify(signature: signatureBytes, message: bytes, publicKey: key) {
                print("valid")
            } else {
                print("invalid")
                throw ExitCode(1)
            }
        }
    }
}

func decodeHex(_ text: String, what: String) throws -> [UInt8] {
    do { return try Hex.decode(text) } catch { throw ValidationError("\(what): \(error)") }
}

func messageBytes(text: String?, hex: String?) throws -> [UInt8] {
    switch (text, hex) {
    case (let text?, nil): return Array(text.utf8)
    case (nil, let hex?): return try decodeHex(hex, what: "--message-hex")
    default: throw ValidationError("give exactly one of --message or --message-hex")
    }
}
