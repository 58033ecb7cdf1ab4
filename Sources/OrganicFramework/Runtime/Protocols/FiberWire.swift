import Crypto
import Foundation
package import OrganicCrypto

/// The two generations of fiber's miner protocol (rayonlabs' `fiber` package).
package enum FiberVersion: String, Sendable, CaseIterable, Codable {
    /// fiber 1.x (Subnet 19's miners): an RSA-OAEP handshake gives the miner a Fernet key, then
    /// every body is a Fernet token; the signature covers the key's uuid, not the body.
    case v1 = "fiber/1"
    /// fiber 2.x: plain JSON; the signature covers the SHA-256 of the body.
    case v2 = "fiber/2"
}

/// fiber's header names, paths, nonces and signed messages, as its miners check them.
package enum FiberWire {
    package static let headerValidatorHotkey = "validator-hotkey"
    package static let headerMinerHotkey = "miner-hotkey"
    package static let headerNonce = "nonce"
    package static let headerSignature = "signature"
    package static let headerSymmetricKeyUUID = "symmetric-key-uuid"

    package static let publicKeyPath = "/public-encryption-key"
    package static let exchangePath = "/exchange-symmetric-key"

    /// A nonce is accepted this far from the miner's clock, either side, and only once.
    package static let nonceWindowNanoseconds: Int64 = 120_000_000_000
    /// fiber's miners drop an exchanged key after 5 hours.
    package static let minerKeyLifetime: Duration = .seconds(5 * 3600)

    static let nonceAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `<time_ns>_<10 letters or digits>`, as fiber's `generate_nonce`.
    package static func nonce(nowNanoseconds: UInt64) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<10).map { _ in nonceAlphabet[Int.random(in: 0..<nonceAlphabet.count, using: &generator)] }
        return "\(nowNanoseconds)_" + String(decoding: suffix, as: UTF8.self)
    }

    static func nanoseconds(_ date: Date) -> UInt64 {
        UInt64(max(0, date.timeIntervalSince1970 * 1e9))
    }

    /// fiber 1.x signs `"{nonce}:{miner_hotkey}:{symmetric_key_uuid}"`.
    package static func message(nonce: String, minerHotkey: String, symmetricKeyUUID: String) -> String {
        "\(nonce):\(minerHotkey):\(symmetricKeyUUID)"
    }

    /// fiber 2.x signs `"{nonce}:{miner_hotkey}:{sha256(body) hex}"`.
    package static func message(nonce: String, minerHotkey: String, body: some Collection<UInt8>) -> String {
        "\(nonce):\(minerHotkey):\(Hex.encode(SHA256.hash(data: Array(body))))"
    }

    /// `0x` + hex of the sr25519 signature over the message's UTF-8 bytes (substrate-interface's `sign`).
    package static func signature(_ message: String, keypair: Sr25519Keypair) -> String {
        Hex.encode(keypair.sign(Array(message.utf8)), prefix0x: true)
    }

    /// Checks a signature as substrate-interface's `Keypair.verify` does: hex with or without
    /// `0x`, over the message or its `<Bytes>…</Bytes>` wrapping.
    package static func verify(signature: String, message: String, signerSS58: String) -> Bool {
        guard let key = try? SS58.decode(signerSS58).publicKey, let bytes = try? Hex.decode(signature) else { return false }
        return Sr25519.verifyAcceptingBytesWrapper(signature: bytes, message: Array(message.utf8), publicKey: key)
    }

    /// The headers fiber's validator sends with a request (and, for 1.x, with the key exchange).
    /// `symmetricKeyUUID` is required for `.v1`; `.v2` signs `body`.
    package static func signedHeaders(version: FiberVersion, keypair: Sr25519Keypair, minerHotkey: String, nonce: String,
                                      symmetricKeyUUID: String? = nil, body: [UInt8] = [],
                                      contentType: String) -> [(name: String, value: String)] {
        let message: String
        var headers: [(name: String, value: String)] = [("Content-Type", contentType)]
        switch version {
        case .v1:
            guard let uuid = symmetricKeyUUID else { preconditionFailure("fiber 1.x headers name the key's uuid") }
            message = Self.message(nonce: nonce, minerHotkey: minerHotkey, symmetricKeyUUID: uuid)
            headers.append((headerSymmetricKeyUUID, uuid))
        case .v2:
            message = Self.message(nonce: nonce, minerHotkey: minerHotkey, body: body)
        }
        headers += [
            (headerValidatorHotkey, keypair.ss58Address),
            (headerMinerHotkey, minerHotkey),
            (headerNonce, nonce),
            (headerSignature, signature(message, keypair: keypair)),
        ]
        return headers
    }

    /// fiber 1.x's validator adds its own `"nonce"` field to every JSON payload before
    /// encrypting it (`payload["nonce"] = generate_nonce()`). Appended last, so it wins over a
    /// field of the same name as in Python. Bodies that are not a JSON object pass unchanged.
    package static func addingPayloadNonce(_ body: [UInt8], nonce: String) -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard let open = body.firstIndex(where: { !isSpace($0) }), body[open] == UInt8(ascii: "{"),
              let close = body.lastIndex(where: { !isSpace($0) }), close > open, body[close] == UInt8(ascii: "}")
        else { return body }
        let empty = body[(open + 1)..<close].allSatisfy(isSpace)
        // The nonce is letters, digits and '_': no JSON escaping needed.
        let field = Array(((empty ? "" : ", ") + "\"nonce\": \"\(nonce)\"").utf8)
        return Array(body[..<close]) + field + Array(body[close...])
    }
}
