import CSodium

/// Ed25519 (RFC 8032) via libsodium: Substrate's second key scheme, which btauth/1
/// announces with `X-Bittensor-Crypto: ed25519`. Keys derive from a 32-byte seed,
/// matching `sp_core::ed25519::Pair::from_seed`.
public enum Ed25519Signer {
    public static let seedLength = 32
    public static let publicKeyLength = 32
    public static let signatureLength = 64

    /// A libsodium Ed25519 keypair (the 64-byte secret is seed ‖ public key).
    public struct Keypair: Sendable {
        public let publicKey: [UInt8]
        private let secretKey: [UInt8]

        public init(seed: [UInt8]) throws {
            guard seed.count == Ed25519Signer.seedLength else {
                throw CryptoError.badLength(what: "ed25519 seed", expected: Ed25519Signer.seedLength, actual: seed.count)
            }
            guard Sodium.isReady else { throw CryptoError.sodiumFailure("sodium_init failed") }
            var pk = [UInt8](repeating: 0, count: 32)
            var sk = [UInt8](repeating: 0, count: 64)
            guard crypto_sign_ed25519_seed_keypair(&pk, &sk, seed) == 0 else {
                throw CryptoError.sodiumFailure("crypto_sign_ed25519_seed_keypair")
            }
            publicKey = pk
            secretKey = sk
        }

        public var ss58Address: String { SS58.encode(publicKey: publicKey) }

        /// Deterministic RFC 8032 signature.
        public func sign(_ message: [UInt8]) -> [UInt8] {
            var sig = [UInt8](repeating: 0, count: 64)
            _ = crypto_sign_ed25519_detached(&sig, nil, message, UInt64(message.count), secretKey)
            return sig
        }
    }

    /// libsodium's verification rejects non-canonical `s`, small-order keys and R.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureLength, publicKey.count == publicKeyLength, Sodium.isReady else { return false }
        return crypto_sign_ed25519_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
