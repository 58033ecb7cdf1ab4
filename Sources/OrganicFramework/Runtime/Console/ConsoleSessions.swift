import Crypto
import Foundation
import Synchronization

/// The console's signed-in browsers, held in memory only (a restart signs everyone out).
///
/// A session id is 256 random bits, sent as the cookie value and kept here only as its SHA-256
/// (a memory dump or a lookup's timing reveals nothing usable). Each session has its own CSRF
/// token, ends after `idle` without use or `lifetime` after sign-in, on a monotonic clock, and
/// at most `capacity` exist (signing in beyond it ends the least recently used).
final class ConsoleSessions: Sendable {
    /// What a request learns of its session.
    struct Session: Sendable, Equatable {
        let csrfToken: String
        /// The moment the session ends unless used again (for the cookie's `Max-Age`).
        let remaining: Duration
    }

    /// A message for the next page the session shows; a created or rotated key's secret
    /// travels here from the POST to the page it redirects to, and is shown there once.
    struct Flash: Sendable {
        enum Kind: String, Sendable {
            case notice, error
        }
        var kind: Kind
        var message: String
        /// A key's secret and the key it belongs to.
        var secret: (keyID: String, secret: String)?
    }

    private struct Entry {
        var csrfToken: String
        var signedInAt: ContinuousClock.Instant
        var lastUsedAt: ContinuousClock.Instant
        var flash: Flash?
    }

    let idle: Duration
    let lifetime: Duration
    let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let entries = Mutex<[SHA256Digest: Entry]>([:])

    init(idle: Duration, lifetime: Duration, capacity: Int, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.idle = idle
        self.lifetime = lifetime
        self.capacity = max(capacity, 1)
        self.now = now
    }

    convenience init(_ settings: NodeConfiguration.Console) {
        self.init(idle: .seconds(double: settings.sessionIdleSeconds), lifetime: .seconds(double: settings.sessionMaxSeconds),
                  capacity: settings.maxSessions)
    }

    /// Starts a session; returns the cookie value (the only copy of the id).
    func start() -> String {
        let id = Self.randomToken()
        let instant = now()
        let entry = Entry(csrfToken: Self.randomToken(), signedInAt: instant, lastUsedAt: instant)
        entries.withLock { entries in
            entries = entries.filter { isLive($0.value, at: instant) }
            while entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUsedAt < $1.value.lastUsedAt }) {
                entries[oldest.key] = nil
            }
            entries[Self.digest(id)] = entry
        }
        return id
    }

    /// The live session behind `id`, marked as used now; nil for an unknown or ended one.
    func resume(_ id: String) -> Session? {
        guard Self.isWellFormed(id) else { return nil }
        let key = Self.digest(id), instant = now()
        return entries.withLock { entries -> Session? in
            guard var entry = entries[key] else { return nil }
            guard isLive(entry, at: instant) else {
                entries[key] = nil
                return nil
            }
            entry.lastUsedAt = instant
            entries[key] = entry
            return Session(csrfToken: entry.csrfToken, remaining: min(idle, entry.signedInAt + lifetime - instant))
        }
    }

    /// Whether `presented` is the CSRF token of the session `id`, compared in constant time.
    func checkCSRF(_ presented: String?, session id: String) -> Bool {
        guard let presented, let session = resume(id) else { return false }
        let a = Array(presented.utf8), b = Array(session.csrfToken.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    func end(_ id: String) {
        guard Self.isWellFormed(id) else { return }
        _ = entries.withLock { $0.removeValue(forKey: Self.digest(id)) }
    }

    func setFlash(_ flash: Flash, session id: String) {
        let key = Self.digest(id)
        entries.withLock { $0[key]?.flash = flash }
    }

    /// The session's flash, removed as it is read (so a secret is shown once).
    func takeFlash(session id: String) -> Flash? {
        let key = Self.digest(id)
        return entries.withLock { entries in
            let flash = entries[key]?.flash
            entries[key]?.flash = nil
            return flash
        }
    }

    var count: Int { entries.withLock { $0.count } }

    private func isLive(_ entry: Entry, at instant: ContinuousClock.Instant) -> Bool {
        instant < entry.lastUsedAt + idle && instant < entry.signedInAt + lifetime
    }

    /// 32 random bytes from the system CSPRNG, base64url without padding (43 characters).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Ids are exactly what ``randomToken()`` makes; anything else is refused before hashing.
    static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 43 && id.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 95
        }
    }

    private static func digest(_ id: String) -> SHA256Digest {
        SHA256.hash(data: Data(id.utf8))
    }
}
