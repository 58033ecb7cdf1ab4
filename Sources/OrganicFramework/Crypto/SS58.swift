/// SS58 addresses (Substrate's address format) for 32-byte account ids.
///
/// Layout: base58(prefix ‖ account ‖ checksum) where the prefix is 1 byte for
/// network ids < 64 and 2 bytes for 64..<16384, and the checksum is the first two
/// bytes of BLAKE2b-512("SS58PRE" ‖ prefix ‖ account). Bittensor uses prefix 42.
public enum SS58 {
    public static let defaultPrefix: UInt16 = 42
    static let checksumPreimagePrefix: [UInt8] = Array("SS58PRE".utf8)
    static let accountLength = 32
    static let checksumLength = 2
    /// Generous bound on address text length (a 2-byte-prefix account is ~49 chars);
    /// anything longer is rejected before the quadratic base58 decode.
    static let maxAddressLength = 64

    /// Encodes an account id (normally a 32-byte public key). Prefixes above 16383 are
    /// not representable; only their low 14 bits are used, so pass a valid network id.
    public static func encode(publicKey: [UInt8], prefix: UInt16 = 42) -> String {
        let prefixBytes = encodePrefix(prefix & 0x3fff)
        let body = prefixBytes + publicKey
        let checksum = Sodium.blake2b(checksumPreimagePrefix + body, outputLength: 64)
        return Base58.encode(body + checksum[0..<checksumLength])
    }

    /// Decodes and validates an SS58 address: base58 alphabet, total length
    /// (prefix + 32-byte account + 2-byte checksum), prefix form, and checksum.
    public static func decode(_ address: String) throws -> (publicKey: [UInt8], prefix: UInt16) {
        guard address.utf8.count <= maxAddressLength else {
            throw CryptoError.badLength(what: "SS58 address text", expected: maxAddressLength, actual: address.utf8.count)
        }
        let data = try Base58.decode(address)
        guard let first = data.first else {
            throw CryptoError.badLength(what: "SS58 payload", expected: 1 + accountLength + checksumLength, actual: 0)
        }
        let prefixLength: Int
        let prefix: UInt16
        switch first {
        case 0..<64:
            prefixLength = 1
            prefix = UInt16(first)
        case 64..<128:
            guard data.count >= 2 else {
                throw CryptoError.badLength(what: "SS58 payload", expected: 2 + accountLength + checksumLength, actual: data.count)
            }
            let lower = UInt16((first << 2) | (data[1] >> 6))
            let upper = UInt16(data[1] & 0x3f)
            prefixLength = 2
            prefix = lower | (upper << 8)
        default:
            throw CryptoError.badPrefix(UInt16(first))
        }
        let expected = prefixLength + accountLength + checksumLength
        guard data.count == expected else {
            throw CryptoError.badLength(what: "SS58 payload", expected: expected, actual: data.count)
        }
        let body = Array(data[0..<(prefixLength + accountLength)])
        let checksum = Sodium.blake2b(checksumPreimagePrefix + body, outputLength: 64)
        guard checksum[0] == data[expected - 2], checksum[1] == data[expected - 1] else {
            throw CryptoError.badChecksum
        }
        return (Array(body[prefixLength...]), prefix)
    }

    /// Decodes and additionally requires a specific network prefix.
    public static func decode(_ address: String, expectingPrefix expected: UInt16) throws -> [UInt8] {
        let (key, prefix) = try decode(address)
        guard prefix == expected else { throw CryptoError.badPrefix(prefix) }
        return key
    }

    static func encodePrefix(_ ident: UInt16) -> [UInt8] {
        if ident < 64 { return [UInt8(ident)] }
        let first = UInt8((ident & 0b1111_1100) >> 2) | 0b0100_0000
        let second = UInt8(truncatingIfNeeded: ident >> 8) | UInt8((ident & 0b11) << 6)
        return [first, second]
    }
}
