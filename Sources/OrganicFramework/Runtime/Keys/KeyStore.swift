public import Foundation

/// Where keys, the credit ledger and the usage log live. The database is the source of truth
/// for balances; a node keeps only a cache of verified keys (see ``KeyAuthenticator``).
package protocol KeyStore: Sendable {
    /// Stores a new key under `digest` (the secret itself is never passed in).
    func insert(_ record: APIKeyRecord, digest: KeyDigest, initialCredits: Credits, now: Date) async throws
    func key(id: String) async throws -> APIKeyRecord?
    func key(digest: KeyDigest) async throws -> APIKeyRecord?
    func keys() async throws -> [APIKeyRecord]
    /// Replaces the stored settings of a key (not its secret, not its balance).
    func update(_ record: APIKeyRecord) async throws
    /// Replaces the secret of a key, keeping its settings and balance.
    func replaceSecret(id: String, digest: KeyDigest, displayPrefix: String) async throws
    func balance(id: String) async throws -> Credits
    /// Adds a grant, refund or (negative) adjustment made by `actor` (see ``LedgerEntry/actor``);
    /// refuses to take the balance below zero.
    func addCredits(id: String, amount: Credits, kind: LedgerEntry.Kind, note: String?, actor: String?, now: Date) async throws -> LedgerEntry
    func ledger(id: String, limit: Int) async throws -> [LedgerEntry]
    /// The balance and the latest `limit` ledger lines read together, so that the balance is
    /// the sum of the lines as shown (no settlement lands between the two reads).
    /// On SQLite that balance still includes credits held by requests in flight (held in memory).
    func statement(id: String, limit: Int) async throws -> (balance: Credits, ledger: [LedgerEntry])
    /// Holds `amount` for one request, refusing to go negative (after any automatic refill that
    /// is due): in memory on SQLite, in one transaction on PostgreSQL.
    func reserve(id: String, amount: Credits, endpoint: String, now: Date) async throws -> ReservationOutcome
    /// Commits (all of it, or `charged` when set) or releases a reservation (at most once) and
    /// logs the request, in one transaction; a repeated settlement changes and logs nothing.
    func settle(_ reservation: CreditReservation, commit: Bool, charged: Credits?, usage: UsageEntry) async throws
    /// Logs a request that held no reservation.
    func log(_ usage: UsageEntry) async throws
    /// Settles and logs many requests in one transaction (each settlement still at most once).
    func settle(batch: [Settlement]) async throws
    /// Writes `batch` as ``settle(batch:)`` does, then calls `completion` with the error if any.
    /// A store with a writer thread of its own calls it there: the settlement writer then goes
    /// from batch to batch on that thread, without waking a task for each.
    func settle(batch: [Settlement], then completion: @escaping @Sendable ((any Error)?) -> Void)
    func usage(id: String, since: Date) async throws -> [UsageSummary]
    /// Credits a key for a provider's payment event, at most once per (provider, event id) and
    /// per credited (provider, reference), even when several instances apply it at once: the
    /// payment row and its `grant` line (actor = the provider, note naming the event) are written
    /// in one transaction. A refusal (unknown or revoked key, bad metadata) is stored too.
    func applyPayment(_ payment: PaymentCredit, now: Date) async throws -> PaymentOutcome
    /// The latest `limit` stored payments, newest first.
    func payments(limit: Int) async throws -> [PaymentRecord]
    /// Credits held by the key's requests in flight that the balance still counts (holds kept in
    /// memory); nil where holds are ledger lines already (durable holds).
    func heldInMemory(id: String) async throws -> Credits?
    /// Releases every durable reservation still open (left by a crash); returns how many.
    func releaseOpenReservations(now: Date) async throws -> Int
    /// Closes the store's own resources (used by tools that open it alone).
    func close() async throws
}

/// One line of a key's credit ledger; the balance is the sum of `amount` over all lines.
public struct LedgerEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Credits added by the operator (a top-up).
        case grant
        /// Credits given back by the operator after a charge.
        case refund
        /// Credits taken off by the operator.
        case adjustment
        /// What a delivered request cost (negative): one line per charged request where holds are
        /// kept in memory (one node on SQLite). A request that is not charged writes no line.
        case charge
        /// Credits held for a request in flight (negative), where holds are durable (several
        /// nodes on PostgreSQL).
        case reservation
        /// The held credits become a charge. Its amount gives back the part of the hold that the
        /// request did not use (0 for a fixed price: the hold already counted).
        case commit
        /// The held credits come back (failure, timeout, disconnect, crash recovery).
        case release
        /// The automatic daily or monthly top-up.
        case autoRefill = "auto_refill"
    }
    public var id: Int64
    public var keyID: String
    public var kind: Kind
    public var amount: Credits
    /// For commit and release lines: the durable reservation they settle.
    public var reservationID: Int64?
    public var endpoint: String?
    /// Why: the reason the operator gave, or for a payment the provider's event.
    public var note: String?
    /// Who made the line: `cli` (`organic keys credit`), `console`, `admin-api` (the JSON admin
    /// routes) or a payment provider (`stripe`); nil for lines the node makes itself
    /// (reservations, settlements, refills) and for lines written before actors were recorded.
    public var actor: String? = nil
    public var createdAt: Date
}

/// The actors the node itself names in ``LedgerEntry/actor``.
package enum LedgerActor {
    package static let cli = "cli"
    package static let console = "console"
    package static let adminAPI = "admin-api"
}

/// Credits held for one request.
package struct CreditReservation: Sendable, Equatable {
    package var id: Int64
    package var keyID: String
    package var amount: Credits
}

package enum ReservationOutcome: Sendable, Equatable {
    case reserved(CreditReservation)
    case insufficient(balance: Credits)
    case unknownKey
}

/// How one finished request is settled: its reservation (if any) committed or released, and its log line.
package struct Settlement: Sendable, Equatable {
    package var reservation: CreditReservation?
    package var commit: Bool
    /// The part of the reservation charged when committing; nil charges all of it. Never more
    /// than the reservation (the rest goes back to the balance).
    package var charged: Credits?
    package var usage: UsageEntry

    package init(reservation: CreditReservation?, commit: Bool, charged: Credits? = nil, usage: UsageEntry) {
        self.reservation = reservation
        self.commit = commit
        self.charged = charged
        self.usage = usage
    }
}

/// One served (or refused) request of a key.
package struct UsageEntry: Sendable, Equatable {
    package var keyID: String
    package var endpoint: String
    package var status: Int
    package var credits: Credits
    package var latencySeconds: Double
    package var time: Date
    /// What the request consumed in the endpoint's units (tokens, for example).
    package var units: Usage

    package init(keyID: String, endpoint: String, status: Int, credits: Credits, latencySeconds: Double, time: Date, units: Usage = Usage()) {
        self.units = units
        self.keyID = keyID
        self.endpoint = endpoint
        self.status = status
        self.credits = credits
        self.latencySeconds = latencySeconds
        self.time = time
    }
}

/// Requests of one key on one UTC day to one endpoint.
public struct UsageSummary: Codable, Sendable, Equatable {
    /// `YYYY-MM-DD`, UTC.
    public var day: String
    public var endpoint: String
    public var requests: Int
    public var successes: Int
    public var credits: Credits
    public var meanLatencySeconds: Double
    /// Units consumed (tokens, for example), summed over the requests.
    public var units: [String: Int]
}

/// A key store failure that callers map to a status.
package enum KeyStoreError: Error, Sendable, Equatable {
    case notFound
    case insufficientCredits(balance: Credits)
}

extension KeyStore {
    package func settle(batch: [Settlement], then completion: @escaping @Sendable ((any Error)?) -> Void) {
        Task {
            do {
                try await settle(batch: batch)
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }

    /// A ledger line with no recorded actor.
    package func addCredits(id: String, amount: Credits, kind: LedgerEntry.Kind, note: String?, now: Date) async throws -> LedgerEntry {
        try await addCredits(id: id, amount: amount, kind: kind, note: note, actor: nil, now: now)
    }

    /// What the key can spend now, on every backend: its balance less what requests in flight
    /// hold that the balance still counts.
    package func spendable(id: String) async throws -> Credits {
        let balance = try await balance(id: id)
        return Credits(millis: balance.millis - (try await heldInMemory(id: id)?.millis ?? 0))
    }

    /// Commits all of a reservation, or releases it, and logs the request.
    package func settle(_ reservation: CreditReservation, commit: Bool, usage: UsageEntry) async throws {
        try await settle(reservation, commit: commit, charged: nil, usage: usage)
    }
}
