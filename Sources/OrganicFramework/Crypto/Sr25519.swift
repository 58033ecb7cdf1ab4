/// sr25519: Schnorr signatures over ristretto255 with Merlin transcripts, as in
/// schnorrkel and Substrate (and so Bittensor hotkeys/coldkeys).
///
/// Substrate signs under the signing context `"substrate"`. A signature is
/// `R ‖ s` (64 bytes) with bit 7 of the final byte set as schnorrkel's marker, which
/// distinguishes it from an Ed25519 signature over the same bytes.
public enum Sr25519 {
    public static let publicKeyLength = 32
    public static let signatureLength = 64
    public static let seedLength = 32
    /// Substrate's signing context label.
    public static let substrateContext: [UInt8] = Array("substrate".utf8)

    /// Strict verification: the signature must be schnorrkel-marked, `s` canonical,
    /// the public key a valid non-identity point, and R = s·B − k·A byte-for-byte.
    /// Returns false for any malformed input instead of throwing.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        verify(signature: signature, message: message, publicKey: publicKey, context: substrateContext)
    }

    /// Like `verify`, but also accepts a signature over the message wrapped as
    /// `<Bytes>…</Bytes>` (or unwrapped, if the given message is already wrapped),
    /// the form polkadot.js browser extensions produce for `signRaw`. Kept separate so
    /// that protocol verification (btauth/1) stays strict.
    public static func verifyAcceptingBytesWrapper(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        if verify(signature: signature, message: message, publicKey: publicKey) { return true }
        let open = Array("<Bytes>".utf8), close = Array("</Bytes>".utf8)
        if message.count >= open.count + close.count,
           message.starts(with: open), message.suffix(close.count).elementsEqual(close) {
            let inner = Array(message[open.count..<(message.count - close.count)])
            return verify(signature: signature, message: inner, publicKey: publicKey)
        }
        return verify(signature: signature, message: open + message + close, publicKey: publicKey)
    }

    static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8], context: [UInt8]) -> Bool {
        guard let key = try? Sr25519PublicKey(bytes: publicKey) else { return false }
        return key.verify(signature: signature, message: message, context: context)
    }

    /// schnorrkel's `signing_context(ctx).bytes(msg)`.
    static func signingTranscript(context: [UInt8], message: [UInt8]) -> MerlinTranscript {
        var t = context == substrateContext ? substrateContextTranscript : contextTranscript(context)
        t.appendMessage(label: "sign-bytes", message: message)
        return t
    }

    /// The signing transcript with the Schnorr protocol name and the signer's key, as signer and
    /// verifier both absorb them before the commitment R.
    static func schnorrTranscript(context: [UInt8], message: [UInt8], publicKey: [UInt8]) -> MerlinTranscript {
        var t = signingTranscript(context: context, message: message)
        t.appendMessage(label: "proto-name", message: Array("Schnorr-sig".utf8))
        t.appendMessage(label: "sign:pk", message: publicKey)
        return t
    }

    static func contextTranscript(_ context: [UInt8]) -> MerlinTranscript {
        var t = MerlinTranscript(label: "SigningContext")
        t.appendMessage(label: "", message: context)
        return t
    }

    /// The `substrate` context prefix is fixed, so it is absorbed once and forked
    /// (a value copy) per signature instead of re-running those permutations.
    static let substrateContextTranscript = contextTranscript(substrateContext)

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// A validated, pre-decoded sr25519 public key for repeated verification.
///
/// Decoding the ristretto point and building its small multiples table is ~15% of a
/// verification; a validator that checks many requests from the same hotkeys can
/// keep these around (e.g. one per metagraph entry) and call `verify` directly.
public struct Sr25519PublicKey: Sendable {
    public let bytes: [UInt8]
    private let table: [EdwardsPoint.Cached]

    /// Rejects wrong lengths, non-canonical or off-group encodings (RFC 9496, which
    /// is stricter than libsodium 1.0.18 about bit 255), and the identity.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == Sr25519.publicKeyLength else {
            throw CryptoError.badLength(what: "sr25519 public key", expected: Sr25519.publicKeyLength, actual: bytes.count)
        }
        // The identity key would verify any signature with s = 0 and R = identity.
        guard !bytes.allSatisfy({ $0 == 0 }), let point = EdwardsPoint(ristrettoBytes: bytes) else {
            throw CryptoError.invalidPoint
        }
        self.bytes = bytes
        self.table = Ristretto255Vartime.pointTable(point)
    }

    /// Decodes an SS58 address (any network prefix) into a verification key.
    public init(ss58 address: String) throws {
        try self.init(bytes: SS58.decode(address).publicKey)
    }

    public var ss58Address: String { SS58.encode(publicKey: bytes) }

    /// Strict verification under the `substrate` context; see `Sr25519.verify`.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        verify(signature: signature, message: message, context: Sr25519.substrateContext)
    }

    func verify(signature: [UInt8], message: [UInt8], context: [UInt8]) -> Bool {
        guard signature.count == Sr25519.signatureLength else { return false }
        guard signature[63] & 0x80 != 0 else { return false }  // not a schnorrkel signature
        let rBytes = Array(signature[0..<32])
        var s = Array(signature[32..<64])
        s[31] &= 0x7f
        guard Ristretto255.isCanonicalScalar(s) else { return false }

        var t = Sr25519.schnorrTranscript(context: context, message: message, publicKey: bytes)
        t.appendMessage(label: "sign:R", message: rBytes)
        let k = Ristretto255.reduceWide(t.challengeBytes(label: "sign:c", count: 64))

        // R' = s·B − k·A in one variable-time double-scalar multiply (public data
        // only), compared as canonical encodings, as schnorrkel does. R itself is never
        // decoded: a non-canonical R simply cannot match.
        let rPrime = Ristretto255Vartime.doubleScalarMulBase(a: Ristretto255.scalarNegate(k), pointTable: table, b: s)
        return Sr25519.constantTimeEqual(rPrime.ristrettoBytes, rBytes)
    }
}

/// An sr25519 keypair derived from a 32-byte mini secret seed.
///
/// Expansion follows Substrate (`sp_core::sr25519::Pair::from_seed`, and hence
/// py-sr25519-bindings' `pair_from_seed`), which uses schnorrkel's *Ed25519* mode:
/// SHA-512(seed) → low half clamped like an Ed25519 key then divided by the cofactor
/// 8 (so the scalar is < ℓ and compatible with ristretto's torsion-free group) is the
/// secret scalar; the high half is the signing nonce seed.
public struct Sr25519Keypair: Sendable {
    public let publicKey: [UInt8]
    private let secretScalar: [UInt8]
    let nonceSeed: [UInt8]

    public init(miniSecretSeed: [UInt8]) throws {
        guard miniSecretSeed.count == Sr25519.seedLength else {
            throw CryptoError.badLength(what: "sr25519 mini secret seed", expected: Sr25519.seedLength, actual: miniSecretSeed.count)
        }
        guard Sodium.isReady else { throw CryptoError.sodiumFailure("sodium_init failed") }
        let h = Sodium.sha512(miniSecretSeed)
        var key = Array(h[0..<32])
        key[0] &= 248
        key[31] &= 63
        key[31] |= 64
        // Divide the 256-bit little-endian integer by 8 (shift right 3).
        for i in 0..<31 { key[i] = (key[i] >> 3) | (key[i + 1] << 5) }
        key[31] >>= 3
        secretScalar = key
        nonceSeed = Array(h[32..<64])
        publicKey = Ristretto255.baseMul(key)
    }

    /// Convenience: seed given as hex (optional `0x`).
    public init(miniSecretSeedHex: String) throws {
        try self.init(miniSecretSeed: Hex.decode(miniSecretSeedHex))
    }

    /// The secret scalar's canonical bytes (needed for hard derivation; stays internal).
    var secretScalarBytes: [UInt8] { secretScalar }

    /// SS58 address with Bittensor's / generic Substrate prefix 42.
    public var ss58Address: String { SS58.encode(publicKey: publicKey) }

    /// Signs under the `substrate` context. Randomised: 32 fresh bytes from libsodium
    /// are mixed with the key's nonce seed inside the transcript to derive the witness.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        sign(message, context: Sr25519.substrateContext, randomness: Sodium.randomBytes(32))
    }

    /// Deterministic core (randomness injected) so tests can pin behaviour.
    func sign(_ message: [UInt8], context: [UInt8], randomness: [UInt8]) -> [UInt8] {
        var t = Sr25519.schnorrTranscript(context: context, message: message, publicKey: publicKey)
        let wide = t.witnessBytes(label: "signing", witnesses: [nonceSeed], randomness: randomness, count: 64)
        let r = Ristretto255.reduceWide(wide)
        let bigR = Ristretto255.baseMul(r)
        t.appendMessage(label: "sign:R", message: bigR)
        return signature(commitment: bigR, nonce: r, transcript: &t)
    }

    /// `R ‖ s` with s = k·key + r, k the challenge of a transcript that has absorbed R.
    func signature(commitment: [UInt8], nonce r: [UInt8], transcript t: inout MerlinTranscript) -> [UInt8] {
        let k = Ristretto255.reduceWide(t.challengeBytes(label: "sign:c", count: 64))
        var s = Ristretto255.scalarAdd(Ristretto255.scalarMul(k, secretScalar), r)
        s[31] |= 0x80  // schnorrkel marker
        return commitment + s
    }
}
