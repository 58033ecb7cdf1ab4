import Crypto

/// Epistula v2 signed requests (used by many subnets since 2024): headers and the
/// signed message `"<sha256(body) hex>.<uuid>.<timestamp ms>.<signed-for>"`.
public enum Epistula {
    public static let version = "2"
    public static let headerVersion = "Epistula-Version"
    public static let headerTimestamp = "Epistula-Timestamp"
    public static let headerUUID = "Epistula-Uuid"
    public static let headerSignedBy = "Epistula-Signed-By"
    public static let headerSignedFor = "Epistula-Signed-For"
    public static let headerSignature = "Epistula-Request-Signature"

    /// The exact bytes signed.
    public static func message(body: [UInt8], uuid: String, timestampMilliseconds: UInt64, signedFor: String) -> [UInt8] {
        Array("\(Hex.encode(Array(SHA256.hash(data: body)))).\(uuid).\(timestampMilliseconds).\(signedFor)".utf8)
    }

    /// Headers for a request signed by `keypair` for `receiverSS58`.
    public static func signedHeaders(keypair: Sr25519Keypair, body: [UInt8], uuid: String, timestampMilliseconds: UInt64,
                                     receiverSS58: String) -> [(name: String, value: String)] {
        signedHeaders(signerSS58: keypair.ss58Address, sign: { keypair.sign($0) }, body: body, uuid: uuid,
                      timestampMilliseconds: timestampMilliseconds, receiverSS58: receiverSS58)
    }

    /// The same, with the sr25519 signature made by `sign` (a signer holding nonces made ahead).
    package static func signedHeaders(signerSS58: String, sign: ([UInt8]) -> [UInt8], body: [UInt8], uuid: String,
                                      timestampMilliseconds: UInt64, receiverSS58: String) -> [(name: String, value: String)] {
        let payload = message(body: body, uuid: uuid, timestampMilliseconds: timestampMilliseconds, signedFor: receiverSS58)
        return [
            (headerVersion, version),
            (headerTimestamp, String(timestampMilliseconds)),
            (headerUUID, uuid),
            (headerSignedBy, signerSS58),
            (headerSignedFor, receiverSS58),
            (headerSignature, Hex.encode(sign(payload), prefix0x: true)),
        ]
    }

    /// A random version-4 UUID in its lowercase text form.
    public static func randomUUID() -> String {
        var b = Sodium.randomBytes(16)
        b[6] = (b[6] & 0x0f) | 0x40
        b[8] = (b[8] & 0x3f) | 0x80
        let h = Hex.encode(b)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
