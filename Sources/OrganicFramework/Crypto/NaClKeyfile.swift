import CSodium

/// Bittensor's encrypted keyfile format (`bittensor-wallet`, "NaCl" encryption).
///
/// Layout: the ASCII marker `$NACL`, a 24-byte nonce, then an XSalsa20-Poly1305
/// `crypto_secretbox` ciphertext (16-byte tag + plaintext). The key is Argon2i v1.3
/// over the password with a fixed 16-byte salt and libsodium's "sensitive" limits
/// (8 passes, 512 MiB), as bittensor-wallet derives it; checked against files written
/// by `bittensor_core.encrypt_keyfile_data`.
public enum NaClKeyfile {
    public static let marker: [UInt8] = Array("$NACL".utf8)
    static let nonceLength = 24
    static let tagLength = 16

    /// Argon2i parameters used to turn a password into the secretbox key.
    public struct KeyDerivation: Sendable, Equatable {
        public var salt: [UInt8]
        public var opsLimit: UInt64
        public var memLimit: Int

        /// bittensor-wallet's parameters (fixed salt, argon2i "sensitive" limits).
        public static let bittensor = KeyDerivation(
            salt: [0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1],
            opsLimit: 8, memLimit: 536_870_912)

        public init(salt: [UInt8], opsLimit: UInt64, memLimit: Int) {
            self.salt = salt
            self.opsLimit = opsLimit
            self.memLimit = memLimit
        }
    }

    /// Whether `data` is a `$NACL` keyfile.
    public static func isEncrypted(_ data: [UInt8]) -> Bool { data.starts(with: marker) }

    /// Decrypts a `$NACL` keyfile. Throws `.wrongPassword` when authentication fails.
    public static func decrypt(_ data: [UInt8], password: String, derivation: KeyDerivation = .bittensor) throws -> [UInt8] {
        guard isEncrypted(data), data.count >= marker.count + nonceLength + tagLength else {
            throw KeyfileError.malformed("not a $NACL keyfile or too short")
        }
        let nonce = Array(data[marker.count..<(marker.count + nonceLength)])
        let box = Array(data[(marker.count + nonceLength)...])
        let key = try deriveKey(password: password, derivation: derivation)
        var plain = [UInt8](repeating: 0, count: box.count - tagLength)
        guard crypto_secretbox_open_easy(&plain, box, UInt64(box.count), nonce, key) == 0 else {
            throw KeyfileError.wrongPassword
        }
        return plain
    }

    /// Encrypts `plaintext` into the `$NACL` format (used by tests and for writing keys).
    public static func encrypt(_ plaintext: [UInt8], password: String, derivation: KeyDerivation = .bittensor) throws -> [UInt8] {
        let key = try deriveKey(password: password, derivation: derivation)
        let nonce = Sodium.randomBytes(nonceLength)
        var box = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        guard crypto_secretbox_easy(&box, plaintext, UInt64(plaintext.count), nonce, key) == 0 else {
            throw CryptoError.sodiumFailure("crypto_secretbox_easy")
        }
        return marker + nonce + box
    }

    static func deriveKey(password: String, derivation: KeyDerivation) throws -> [UInt8] {
        guard Sodium.isReady else { throw CryptoError.sodiumFailure("sodium_init failed") }
        guard derivation.salt.count == Int(crypto_pwhash_SALTBYTES) else {
            throw CryptoError.badLength(what: "argon2i salt", expected: Int(crypto_pwhash_SALTBYTES), actual: derivation.salt.count)
        }
        let passwordBytes = Array(password.utf8)
        var key = [UInt8](repeating: 0, count: Int(crypto_secretbox_KEYBYTES))
        // A Swift String passed as `const char *` is its UTF-8 bytes; the length is given explicitly.
        let status = crypto_pwhash(&key, UInt64(key.count), password, UInt64(passwordBytes.count), derivation.salt,
                                   derivation.opsLimit, derivation.memLimit, crypto_pwhash_ALG_ARGON2I13)
        guard status == 0 else { throw CryptoError.sodiumFailure("crypto_pwhash (out of memory?)") }
        return key
    }
}

/// Why a wallet keyfile could not be used. Messages never include secret material.
public enum KeyfileError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(String)
    case malformed(String)
    case wrongPassword
    case passwordRequired(String)
    case mismatch(String)

    public var description: String {
        switch self {
        case .notFound(let path): "keyfile not found: \(path)"
        case .malformed(let why): "malformed keyfile: \(why)"
        case .wrongPassword: "wrong password for encrypted keyfile"
        case .passwordRequired(let path): "keyfile \(path) is encrypted; set ORGANIC_WALLET_PASSWORD or enter the password"
        case .mismatch(let why): "keyfile is inconsistent: \(why)"
        }
    }
}
