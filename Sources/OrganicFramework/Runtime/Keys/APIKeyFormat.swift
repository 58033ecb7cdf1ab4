import Crypto

/// The textual form of an API key: `org_live_` + 33 base58 characters of secret (192 random
/// bits) + 6 base58 characters of CRC-32 checksum over the secret characters.
///
/// The checksum lets the node refuse a mistyped or truncated key before any lookup; it is not a
/// security measure (anyone can compute it). Only ``hash(of:)`` of a key is ever stored.
package enum APIKeyFormat {
    package static let prefix = "org_live_"
    static let secretBytes = 24
    static let secretLength = 33
    static let checksumLength = 6
    /// Total length of a well-formed key, in bytes.
    package static let length = prefix.utf8.count + secretLength + checksumLength
    /// Characters of the secret shown in listings (23 bits; the rest stays secret).
    static let displayedSecretCharacters = 4

    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    /// Maps an ASCII byte to its base58 digit, or 255.
    static let digitValues: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// A new key drawn from the system CSPRNG.
    package static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: secretBytes)
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        let secret = base58(bytes, width: secretLength)
        let checksum = base58Fixed(UInt64(crc32(Array(secret.utf8))), width: checksumLength)
        return prefix + secret + checksum
    }

    /// Why a presented key was refused without a lookup.
    package enum Malformation: Error, Sendable, Equatable {
        case wrongPrefix, wrongLength, invalidCharacter, badChecksum
    }

    /// Checks prefix, length, alphabet and checksum; constant work per key, no allocation.
    package static func validate(_ key: String) -> Malformation? {
        var key = key
        return key.withUTF8 { validate(bytes: $0) }
    }

    static func validate(bytes key: UnsafeBufferPointer<UInt8>) -> Malformation? {
        guard key.count == length else { return .wrongLength }
        let prefixBytes = prefix.utf8
        var index = 0
        for expected in prefixBytes {
            guard key[index] == expected else { return .wrongPrefix }
            index += 1
        }
        var crc: UInt32 = 0xFFFF_FFFF
        var checksum: UInt64 = 0
        let secretEnd = index + secretLength
        // Read once: each access to a static table checks its lazy initialisation (a call per byte).
        let digits = digitValues, table = crcTable
        while index < key.count {
            let byte = key[index]
            let digit = digits[Int(byte)]
            guard digit != 255 else { return .invalidCharacter }
            if index < secretEnd {
                crc = crcStep(crc, byte, in: table)
            } else {
                checksum = checksum &* 58 &+ UInt64(digit)
            }
            index += 1
        }
        guard checksum == UInt64(~crc) else { return .badChecksum }
        return nil
    }

    /// SHA-256 of the whole key text: what the database stores and lookups use.
    package static func hash(of key: String) -> KeyDigest {
        var key = key
        var hasher = SHA256()
        key.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return KeyDigest(hasher.finalize())
    }

    /// The non-secret part shown in listings, such as `org_live_7Hq2…`.
    package static func displayPrefix(of key: String) -> String {
        String(key.prefix(prefix.count + displayedSecretCharacters)) + "…"
    }

    // MARK: - Encoding

    /// Big-endian base58 of `bytes`, left-padded with the zero digit to `width`.
    static func base58(_ bytes: [UInt8], width: Int) -> String {
        var number = bytes
        var digits: [UInt8] = []
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for index in number.indices {
                let value = remainder * 256 + Int(number[index])
                number[index] = UInt8(value / 58)
                remainder = value % 58
            }
            digits.append(alphabet[remainder])
        }
        while digits.count < width { digits.append(alphabet[0]) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    static func base58Fixed(_ value: UInt64, width: Int) -> String {
        var value = value
        var digits: [UInt8] = []
        for _ in 0..<width {
            digits.append(alphabet[Int(value % 58)])
            value /= 58
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        let table = crcTable
        for byte in bytes { crc = crcStep(crc, byte, in: table) }
        return ~crc
    }

    static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    @inline(__always)
    static func crcStep(_ crc: UInt32, _ byte: UInt8, in table: [UInt32]) -> UInt32 {
        table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }
}

/// A SHA-256 digest of a key, usable as a dictionary key and compared in constant time.
package struct KeyDigest: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init(_ digest: SHA256.Digest) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { raw in
            words = (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
        (a, b, c, d) = words
    }

    init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        func word(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * index) }
            return value
        }
        (a, b, c, d) = (word(0), word(8), word(16), word(24))
    }

    /// The 32 digest bytes, as stored in the database.
    package var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in [a, b, c, d] {
            for index in 0..<8 { out.append(UInt8(truncatingIfNeeded: word >> (8 * index))) }
        }
        return out
    }

    /// Equality that takes the same time whichever bits differ.
    package func constantTimeEquals(_ other: KeyDigest) -> Bool {
        ((a ^ other.a) | (b ^ other.b) | (c ^ other.c) | (d ^ other.d)) == 0
    }
}
