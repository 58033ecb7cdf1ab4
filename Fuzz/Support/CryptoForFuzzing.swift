import CSodium

/// Stands in for swift-crypto's `Crypto` module in the fuzz builds, which compile the project's
/// sources with swiftc outside SwiftPM (swift-crypto's BoringSSL is not built there). Only what
/// the fuzzed code calls: SHA-256 of a body, by libsodium, the same digest.
public enum SHA256 {
    public static func hash(data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = crypto_hash_sha256(&digest, data, UInt64(data.count))
        return digest
    }
}
