package import Foundation
import Synchronization

/// Turns a presented key into its record: format check, SHA-256, cache, then the store.
///
/// The cache maps a key's digest to its record and is invalidated by ``invalidate(keyID:)``
/// whenever this node changes a key (revoke, rotate, settings) and, on a shared PostgreSQL
/// database, whenever another node does (``KeyChangeFeed``).
package final class KeyAuthenticator: Sendable {
    struct Entry {
        var digest: KeyDigest
        var record: APIKeyRecord
    }

    /// Why a key was refused; each maps to a stable error code.
    package enum Refusal: Error, Sendable, Equatable {
        case missing, malformed, unknown, revoked, disabled, expired
    }

    package enum CachedCheck: Sendable, Equatable {
        case verified(APIKeyRecord)
        case refused(Refusal)
        /// Well-formed but not cached: ask ``authenticate(_:now:)``.
        case notCached
    }

    let store: any KeyStore
    private let cache = Mutex<[KeyDigest: Entry]>([:])
    static let maxCachedKeys = 100_000
    /// Longest header value considered; anything longer is refused before hashing.
    static let maxPresentedLength = 256

    package init(store: any KeyStore) {
        self.store = store
    }

    /// Verifies a key against the cache only; no suspension, no allocation beyond the record copy.
    package func checkCached(_ presented: String, now: Date) -> CachedCheck {
        guard presented.utf8.count <= Self.maxPresentedLength, APIKeyFormat.validate(presented) == nil else { return .refused(.malformed) }
        let digest = APIKeyFormat.hash(of: presented)
        guard let entry = cache.withLock({ $0[digest] }), entry.digest.constantTimeEquals(digest) else { return .notCached }
        if let refusal = Self.refusal(for: entry.record, now: now) { return .refused(refusal) }
        return .verified(entry.record)
    }

    /// Verifies a key, loading it from the store on a cache miss.
    package func authenticate(_ presented: String?, now: Date) async throws -> APIKeyRecord {
        guard let presented else { throw Refusal.missing }
        switch checkCached(presented, now: now) {
        case .verified(let record): return record
        case .refused(let refusal): throw refusal
        case .notCached: break
        }
        let digest = APIKeyFormat.hash(of: presented)
        guard let record = try await store.key(digest: digest) else { throw Refusal.unknown }
        cache.withLock { cache in
            if cache.count >= Self.maxCachedKeys { cache.removeAll(keepingCapacity: true) }
            cache[digest] = Entry(digest: digest, record: record)
        }
        if let refusal = Self.refusal(for: record, now: now) { throw refusal }
        return record
    }

    /// Drops a key from the cache so that the next request reads the store again.
    package func invalidate(keyID: String) {
        cache.withLock { cache in
            for (digest, entry) in cache where entry.record.id == keyID { cache[digest] = nil }
        }
    }

    static func refusal(for record: APIKeyRecord, now: Date) -> Refusal? {
        switch record.state {
        case .revoked: return .revoked
        case .disabled: return .disabled
        case .active: break
        }
        if let expiry = record.expiresAt, expiry <= now { return .expired }
        return nil
    }

    /// The key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
    /// Returns nil when neither header is present; "" when a header is present but unusable.
    static func presentedKey(authorization: String?, apiKeyHeader: String?) -> String? {
        // Byte by byte: Foundation's trimming and case folding were a visible share of a paid request.
        if let authorization {
            let value = trimmed(authorization.utf8[...])
            let scheme = Array("bearer ".utf8)
            guard value.count > scheme.count,
                  zip(value.prefix(scheme.count), scheme).allSatisfy({ $1 == 0x20 ? $0 == 0x20 : $0 | 0x20 == $1 })
            else { return "" }
            return String(trimmed(value.dropFirst(scheme.count))) ?? ""
        }
        if let apiKeyHeader { return String(trimmed(apiKeyHeader.utf8[...])) ?? "" }
        return nil
    }

    /// Without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }
}
