/// Substrate-style hard key derivation (`//junction`) for sr25519.
///
/// Substrate derives a hard child from the parent's *secret scalar* through a
/// Merlin transcript ("SchnorrRistrettoHDKD"), producing a new 32-byte mini secret
/// that is expanded in Ed25519 mode like any seed. This is how the well-known dev
/// accounts (//Alice, //Bob, …) come from the dev phrase; soft derivation (`/x`)
/// and mnemonics are out of scope here.
extension Sr25519Keypair {
    /// Mini secret of the Substrate dev phrase
    /// ("bottom drive obey lake curtain smoke basket hold race lonely fit walk").
    /// Public knowledge: for tests and local chains only.
    public static let devPhraseSeed: [UInt8] = [
        0xfa, 0xc7, 0x95, 0x9d, 0xbf, 0xe7, 0x2f, 0x05, 0x2e, 0x5a, 0x0c, 0x3c, 0x8d, 0x65, 0x30, 0xf2,
        0x02, 0xb0, 0x2f, 0xd8, 0xf9, 0xf5, 0xca, 0x35, 0x80, 0xec, 0x8d, 0xeb, 0x77, 0x97, 0x47, 0x9e,
    ]

    /// A dev account such as `"Alice"` (i.e. `//Alice` from the dev phrase).
    public static func devAccount(_ name: String) throws -> Sr25519Keypair {
        try Sr25519Keypair(miniSecretSeed: devPhraseSeed).hardDerived(name)
    }

    /// The hard child `//junction` of this key.
    public func hardDerived(_ junction: String) throws -> Sr25519Keypair {
        try Sr25519Keypair(miniSecretSeed: hardDerivedSeed(chainCode: Self.chainCode(for: junction)))
    }

    /// Child mini secret: Merlin("SchnorrRistrettoHDKD") over an empty "sign-bytes",
    /// the chain code and the parent secret scalar, squeezed as "HDKD-hard".
    func hardDerivedSeed(chainCode: [UInt8]) -> [UInt8] {
        var t = MerlinTranscript(label: "SchnorrRistrettoHDKD")
        t.appendMessage(label: "sign-bytes", message: [])
        t.appendMessage(label: "chain-code", message: chainCode)
        t.appendMessage(label: "secret-key", message: secretScalarBytes)
        return t.challengeBytes(label: "HDKD-hard", count: 32)
    }

    /// Substrate's `DeriveJunction` chain code: a junction that parses as a u64 is
    /// SCALE-encoded as 8 little-endian bytes, anything else as a SCALE string
    /// (compact length + UTF-8); the encoding is zero-padded to 32 bytes, or
    /// BLAKE2b-256-hashed when longer.
    static func chainCode(for junction: String) -> [UInt8] {
        var encoded: [UInt8]
        if let n = UInt64(junction) {
            encoded = (0..<8).map { UInt8(truncatingIfNeeded: n >> UInt64(8 * $0)) }
        } else {
            let utf8 = Array(junction.utf8)
            encoded = scaleCompact(UInt64(utf8.count)) + utf8
        }
        if encoded.count > 32 { return Sodium.blake2b(encoded, outputLength: 32) }
        encoded.append(contentsOf: [UInt8](repeating: 0, count: 32 - encoded.count))
        return encoded
    }

    /// SCALE compact integer encoding (all four modes).
    static func scaleCompact(_ v: UInt64) -> [UInt8] {
        switch v {
        case 0..<(1 << 6):
            return [UInt8(v << 2)]
        case (1 << 6)..<(1 << 14):
            let x = UInt16(v << 2) | 0b01
            return [UInt8(truncatingIfNeeded: x), UInt8(truncatingIfNeeded: x >> 8)]
        case (1 << 14)..<(1 << 30):
            let x = UInt32(v << 2) | 0b10
            return (0..<4).map { UInt8(truncatingIfNeeded: x >> UInt32(8 * $0)) }
        default:
            var bytes: [UInt8] = []
            var rest = v
            while rest > 0 { bytes.append(UInt8(truncatingIfNeeded: rest)); rest >>= 8 }
            return [UInt8((bytes.count - 4) << 2) | 0b11] + bytes
        }
    }
}
