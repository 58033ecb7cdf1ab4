import Crypto

/// The `btauth/1` signed-request protocol (bittensor ≥ 11, `bittensor/http_auth.py`):
/// the exact bytes a hotkey signs, and the header names that carry the signature.
///
/// The canonical payload is eight UTF-8 lines joined by "\n" (no trailing newline):
///
///     btauth/1
///     <signature scheme: sr25519 | ed25519>
///     <HTTP METHOD, uppercased>
///     <request target: path plus ?query, exactly as sent>
///     <lowercase hex SHA-256 of the raw body>
///     <nonce: decimal nanoseconds since the Unix epoch>
///     <sender SS58>
///     <receiver SS58, or "-" when the request is not bound to a receiver>
///
/// Note the second line is the *signature scheme*, not the URL scheme: it binds the
/// algorithm into the signed bytes so a verifier never tries both.
public enum BTAuth {
    public static let protocolVersionLine = "btauth/1"
    public static let version = "1"
    public static let noReceiver = "-"

    public static let headerVersion = "X-Bittensor-Version"
    public static let headerHotkey = "X-Bittensor-Hotkey"
    public static let headerReceiver = "X-Bittensor-Receiver"
    public static let headerNonce = "X-Bittensor-Nonce"
    /// Omitted for sr25519 (the default scheme); present for ed25519.
    public static let headerCrypto = "X-Bittensor-Crypto"
    /// `0x` + lowercase hex of the 64-byte signature.
    public static let headerSignature = "X-Bittensor-Signature"

    /// Signature schemes; raw values are the names used on the wire.
    public enum Scheme: String, Sendable, CaseIterable {
        case sr25519
        case ed25519

        /// Parses the `X-Bittensor-Crypto` header the way bittensor does: name
        /// (case-insensitive, trimmed) or the numeric crypto type (0 = ed25519, 1 = sr25519).
        public init?(headerValue: String) {
            let v = headerValue.trimmingASCIIWhitespace().lowercased()
            switch v {
            case "sr25519", "1": self = .sr25519
            case "ed25519", "0": self = .ed25519
            default: return nil
            }
        }
    }

    /// Header value for a signature.
    public static func signatureHeaderValue(_ signature: [UInt8]) -> String {
        Hex.encode(signature, prefix0x: true)
    }
}

/// Builder for the canonical `btauth/1` payload.
public enum BTAuthMessage {
    /// The exact bytes that are signed. `pathAndQuery` is the raw request target as
    /// sent (no normalisation); `body` is hashed as received, before any parsing.
    public static func canonical(
        scheme: BTAuth.Scheme = .sr25519,
        method: String,
        pathAndQuery: String,
        body: [UInt8],
        nonceNanoseconds: UInt64,
        senderSS58: String,
        receiverSS58: String?
    ) -> [UInt8] {
        let lines = [
            BTAuth.protocolVersionLine,
            scheme.rawValue,
            method.uppercased(),
            pathAndQuery,
            Hex.encode(Array(SHA256.hash(data: body))),
            String(nonceNanoseconds),
            senderSS58,
            (receiverSS58?.isEmpty == false ? receiverSS58 : nil) ?? BTAuth.noReceiver,
        ]
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// Signs a request with an sr25519 hotkey and returns the headers to attach,
    /// in a stable order. `X-Bittensor-Crypto` is omitted (sr25519 is the default);
    /// `X-Bittensor-Receiver` only appears when a receiver is given.
    public static func signedHeaders(
        keypair: Sr25519Keypair,
        method: String,
        pathAndQuery: String,
        body: [UInt8],
        nonceNanoseconds: UInt64,
        receiverSS58: String?
    ) -> [(name: String, value: String)] {
        signedHeaders(senderSS58: keypair.ss58Address, sign: { keypair.sign($0) }, method: method, pathAndQuery: pathAndQuery,
                      body: body, nonceNanoseconds: nonceNanoseconds, receiverSS58: receiverSS58)
    }

    /// The same, with the sender's address already encoded (a signer that signs every request
    /// keeps it rather than encoding it each time) and the sr25519 signature made by `sign` (a
    /// signer holding nonces made ahead).
    package static func signedHeaders(
        senderSS58: String, sign: ([UInt8]) -> [UInt8], method: String, pathAndQuery: String, body: [UInt8],
        nonceNanoseconds: UInt64, receiverSS58: String?
    ) -> [(name: String, value: String)] {
        headers(scheme: .sr25519, sender: senderSS58, sign: sign, method: method, pathAndQuery: pathAndQuery,
                body: body, nonceNanoseconds: nonceNanoseconds, receiverSS58: receiverSS58)
    }

    /// Ed25519 variant: identical payload with scheme `ed25519`, plus `X-Bittensor-Crypto`.
    public static func signedHeaders(
        keypair: Ed25519Signer.Keypair,
        method: String,
        pathAndQuery: String,
        body: [UInt8],
        nonceNanoseconds: UInt64,
        receiverSS58: String?
    ) -> [(name: String, value: String)] {
        headers(scheme: .ed25519, sender: keypair.ss58Address, sign: { keypair.sign($0) }, method: method, pathAndQuery: pathAndQuery,
                body: body, nonceNanoseconds: nonceNanoseconds, receiverSS58: receiverSS58)
    }

    /// The headers for either scheme; only ed25519 names its scheme in `X-Bittensor-Crypto`.
    static func headers(
        scheme: BTAuth.Scheme, sender: String, sign: ([UInt8]) -> [UInt8],
        method: String, pathAndQuery: String, body: [UInt8], nonceNanoseconds: UInt64, receiverSS58: String?
    ) -> [(name: String, value: String)] {
        let payload = canonical(scheme: scheme, method: method, pathAndQuery: pathAndQuery, body: body,
                                nonceNanoseconds: nonceNanoseconds, senderSS58: sender, receiverSS58: receiverSS58)
        var headers: [(name: String, value: String)] = [
            (BTAuth.headerVersion, BTAuth.version),
            (BTAuth.headerHotkey, sender),
            (BTAuth.headerNonce, String(nonceNanoseconds)),
        ]
        if scheme == .ed25519 { headers.append((BTAuth.headerCrypto, scheme.rawValue)) }
        headers.append((BTAuth.headerSignature, BTAuth.signatureHeaderValue(sign(payload))))
        if let receiverSS58 { headers.append((BTAuth.headerReceiver, receiverSS58)) }
        return headers
    }
}

extension String {
    /// Trims ASCII whitespace without Foundation.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
