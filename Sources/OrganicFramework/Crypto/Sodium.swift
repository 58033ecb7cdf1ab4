import CSodium

/// Thin, concrete wrappers over the libsodium primitives we rely on.
///
/// libsodium must be initialised once before use (it selects implementations and
/// seeds its RNG); a lazily initialised global gives us thread-safe one-time setup.
package enum Sodium {
    /// True once `sodium_init` succeeded (0 = fresh init, 1 = already initialised).
    static let isReady: Bool = sodium_init() >= 0

    /// Allocates `count` bytes and lets `body` fill them through a raw pointer.
    @inline(__always)
    static func output(_ count: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { buf in
            if let base = buf.baseAddress { body(base) }
        }
        return out
    }

    /// `count` bytes from libsodium's CSPRNG (getrandom on Linux).
    package static func randomBytes(_ count: Int) -> [UInt8] {
        precondition(isReady, "libsodium failed to initialise")
        return output(count) { randombytes_buf($0, count) }
    }

    static func sha512(_ data: [UInt8]) -> [UInt8] {
        output(64) { _ = crypto_hash_sha512($0, data, UInt64(data.count)) }
    }

    /// Unkeyed BLAKE2b with the given output length (1...64), as SS58 checksums need.
    static func blake2b(_ data: [UInt8], outputLength: Int = 64) -> [UInt8] {
        precondition((1...64).contains(outputLength))
        return output(outputLength) { _ = crypto_generichash($0, outputLength, data, UInt64(data.count), nil, 0) }
    }
}
