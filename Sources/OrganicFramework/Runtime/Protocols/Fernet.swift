import Crypto
package import Foundation
import _CryptoExtras

/// Fernet symmetric tokens (the fernet/spec format, as Python's `cryptography.fernet` writes
/// them): fiber 1.0 encrypts every request body with one.
///
/// Token: `0x80 ‖ timestamp (u64 BE seconds) ‖ IV (16) ‖ AES-128-CBC/PKCS7 ciphertext ‖
/// HMAC-SHA256 (32)` over everything before the HMAC, base64url with padding. Of the 32-byte key
/// the first half signs and the second half encrypts.
package struct Fernet: Sendable {
    package static let version: UInt8 = 0x80
    package static let keyLength = 32
    /// Python's `cryptography` refuses tokens stamped more than this far ahead (when a TTL is given).
    package static let maximumClockSkewSeconds: Int64 = 60

    static let headerLength = 1 + 8 + 16
    static let hmacLength = 32

    /// The 32 key bytes.
    package let key: [UInt8]
    // Made per use: swift-crypto 3.x's SymmetricKey is not Sendable.
    var signingKey: SymmetricKey { SymmetricKey(data: key[0..<16]) }
    var encryptionKey: SymmetricKey { SymmetricKey(data: key[16..<32]) }

    package init(key: [UInt8]) throws(FernetError) {
        guard key.count == Self.keyLength else { throw .invalidKey }
        self.key = key
    }

    /// A key in base64url, as `Fernet.generate_key()` prints it. The standard alphabet is accepted
    /// too, as Python's Fernet does (fiber's validator hands it standard base64).
    package init(base64Key: String) throws(FernetError) {
        guard let bytes = Base64URL.decode(base64Key, acceptingStandardAlphabet: true) else { throw .invalidKey }
        try self.init(key: bytes)
    }

    /// A new random key.
    package static func generate() -> Fernet {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        // A 32-byte key is always valid.
        return try! Fernet(key: bytes)
    }

    /// The key in base64url with padding.
    package var base64Key: String { Base64URL.encode(key) }

    /// The token for `plaintext` stamped `time`. `iv` is random unless given (test vectors).
    package func encrypt(_ plaintext: some Collection<UInt8>, at time: Date = Date(), iv: [UInt8]? = nil) -> String {
        // Our own IV bytes: swift-crypto 3.x's IV type does not expose its bytes.
        let ivBytes: [UInt8]
        if let iv {
            precondition(iv.count == 16, "a Fernet IV is 16 bytes")
            ivBytes = iv
        } else {
            var generator = SystemRandomNumberGenerator()
            ivBytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        }
        // AES-CBC with a 16-byte key and a 16-byte IV cannot fail.
        let ciphertext = try! AES._CBC.encrypt(Array(plaintext), using: encryptionKey, iv: try! AES._CBC.IV(ivBytes: ivBytes))
        var token: [UInt8] = [Self.version]
        token.reserveCapacity(Self.headerLength + ciphertext.count + Self.hmacLength)
        let seconds = UInt64(max(0, time.timeIntervalSince1970.rounded(.down)))
        withUnsafeBytes(of: seconds.bigEndian) { token.append(contentsOf: $0) }
        token.append(contentsOf: ivBytes)
        token.append(contentsOf: ciphertext)
        token.append(contentsOf: HMAC<SHA256>.authenticationCode(for: token, using: signingKey))
        return Base64URL.encode(token)
    }

    /// The plaintext of `token`. With `ttl`, tokens older than that (or stamped more than 60 s
    /// ahead of `now`) are refused, as in Python's `Fernet.decrypt(token, ttl)`.
    package func decrypt(_ token: some Collection<UInt8>, ttl: Duration? = nil, now: Date = Date()) throws(FernetError) -> [UInt8] {
        guard let data = Base64URL.decode(token, acceptingStandardAlphabet: false) else { throw .malformedToken }
        guard let first = data.first, first == Self.version else {
            throw data.isEmpty ? .malformedToken : .unsupportedVersion(data[0])
        }
        guard data.count >= Self.headerLength + 16 + Self.hmacLength else { throw .malformedToken }
        let stamped = Int64(clamping: data[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        if let ttl {
            // Whole seconds, like the spec and Python (which compare int(time.time())).
            let current = Int64(now.timeIntervalSince1970.rounded(.down))
            if stamped.addingReportingOverflow(ttl.components.seconds).partialValue < current { throw .expired }
            if current + Self.maximumClockSkewSeconds < stamped { throw .fromTheFuture }
        }
        let signed = data[..<(data.count - Self.hmacLength)]
        let mac = data[(data.count - Self.hmacLength)...]
        // Constant-time comparison inside swift-crypto.
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: signingKey) else {
            throw .badSignature
        }
        let ciphertext = data[Self.headerLength..<(data.count - Self.hmacLength)]
        guard ciphertext.count % 16 == 0 else { throw .malformedToken }
        do {
            let iv = try AES._CBC.IV(ivBytes: data[9..<Self.headerLength])
            return Array(try AES._CBC.decrypt(ciphertext, using: encryptionKey, iv: iv))
        } catch {
            throw .decryptionFailed
        }
    }

    package func decrypt(_ token: String, ttl: Duration? = nil, now: Date = Date()) throws(FernetError) -> [UInt8] {
        try decrypt(Array(token.utf8), ttl: ttl, now: now)
    }

    /// The token's timestamp (seconds since 1970), read without checking the token.
    package static func timestamp(of token: some Collection<UInt8>) -> UInt64? {
        guard let data = Base64URL.decode(token, acceptingStandardAlphabet: false), data.count >= 9, data[0] == version else { return nil }
        return data[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}

/// Why a Fernet key or token was refused. Python raises `InvalidToken` for all token cases.
package enum FernetError: Error, Equatable, Sendable {
    /// The key is not 32 bytes of base64.
    case invalidKey
    /// Not base64url, too short, or a ciphertext that is not whole AES blocks.
    case malformedToken
    /// The first byte is not 0x80.
    case unsupportedVersion(UInt8)
    /// Older than the TTL.
    case expired
    /// Stamped more than 60 s in the future (checked with a TTL only).
    case fromTheFuture
    /// The HMAC does not match: tampered, or another key.
    case badSignature
    /// Authentic but not decryptable (bad PKCS7 padding).
    case decryptionFailed
}

/// Base64url with `=` padding, as Python's `urlsafe_b64encode` writes it.
enum Base64URL {
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return text
    }

    static func decode(_ text: String, acceptingStandardAlphabet: Bool) -> [UInt8]? {
        decode(Array(text.utf8), acceptingStandardAlphabet: acceptingStandardAlphabet)
    }

    /// Padding is optional; any byte outside the alphabet is refused.
    static func decode(_ text: some Collection<UInt8>, acceptingStandardAlphabet: Bool) -> [UInt8]? {
        var standard: [UInt8] = []
        standard.reserveCapacity(text.count + 3)
        var padding = 0
        for byte in text {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            // Nothing may follow padding.
            guard padding == 0 else { return nil }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                standard.append(byte)
            case UInt8(ascii: "-"): standard.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): standard.append(UInt8(ascii: "/"))
            case UInt8(ascii: "+"), UInt8(ascii: "/"):
                guard acceptingStandardAlphabet else { return nil }
                standard.append(byte)
            default: return nil
            }
        }
        let remainder = standard.count % 4
        guard remainder != 1, padding <= 2, padding == 0 || (standard.count + padding) % 4 == 0 else { return nil }
        if remainder != 0 { standard += Array(repeating: UInt8(ascii: "="), count: 4 - remainder) }
        return Data(base64Encoded: Data(standard)).map(Array.init)
    }
}
