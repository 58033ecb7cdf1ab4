public import Foundation

/// Who took a payment that turns into credits.
public enum PaymentProvider: String, Codable, Sendable, CaseIterable {
    case stripe
}

/// A paid event from a provider that should credit a key (see ``KeyStore/applyPayment(_:now:)``).
package struct PaymentCredit: Sendable, Equatable {
    package var provider: PaymentProvider
    /// The provider's event id (Stripe: `evt_…`); applied at most once.
    package var eventID: String
    /// The key the buyer named; refused when it is unknown or revoked.
    package var keyID: String
    /// Positive; zero or less is refused as ``PaymentRecord/Refusal/invalidMetadata``.
    package var credits: Credits
    /// The provider's payment object (Stripe: the Checkout Session `cs_…`); credited at most once
    /// even when it arrives under another event id.
    package var reference: String?
    /// What the buyer paid, in the currency's smallest unit (cents), for reconciliation.
    package var amountPaid: Int64?
    /// ISO 4217 code in lower case, as Stripe writes it (`usd`).
    package var currency: String?

    package init(provider: PaymentProvider, eventID: String, keyID: String, credits: Credits, reference: String? = nil,
                amountPaid: Int64? = nil, currency: String? = nil) {
        self.provider = provider
        self.eventID = eventID
        self.keyID = keyID
        self.credits = credits
        self.reference = reference
        self.amountPaid = amountPaid
        self.currency = currency
    }
}

/// One stored payment: credited, or refused with the reason. Duplicates are not stored.
public struct PaymentRecord: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// The key's balance went up by `credits` (ledger line `ledgerEntryID`).
        case credited
        /// Nothing was credited (see `refusal`); the operator settles it by hand.
        case refused
    }

    public enum Refusal: String, Codable, Sendable {
        /// No key has the id the payment names.
        case unknownKey = "unknown_key"
        /// The key was revoked: credits on it could never be spent.
        case revokedKey = "revoked_key"
        /// The key id or the credits in the payment's metadata are missing or out of range.
        case invalidMetadata = "invalid_metadata"
    }

    /// Increasing with arrival; the listing is newest first.
    public var id: Int64
    public var provider: PaymentProvider
    public var eventID: String
    public var keyID: String
    public var credits: Credits
    public var state: State
    /// Set when `state` is `refused`.
    public var refusal: Refusal?
    /// The `grant` line that credited the key (actor = the provider); nil when refused.
    public var ledgerEntryID: Int64?
    public var reference: String?
    public var amountPaid: Int64?
    public var currency: String?
    public var receivedAt: Date

    package init(id: Int64, provider: PaymentProvider, eventID: String, keyID: String, credits: Credits, state: State, refusal: Refusal?,
                ledgerEntryID: Int64?, reference: String?, amountPaid: Int64?, currency: String?, receivedAt: Date) {
        self.id = id
        self.provider = provider
        self.eventID = eventID
        self.keyID = keyID
        self.credits = credits
        self.state = state
        self.refusal = refusal
        self.ledgerEntryID = ledgerEntryID
        self.reference = reference
        self.amountPaid = amountPaid
        self.currency = currency
        self.receivedAt = receivedAt
    }
}

/// What applying a payment did.
package enum PaymentOutcome: Sendable, Equatable {
    /// Credited now: the stored record and its ledger line.
    case credited(PaymentRecord, LedgerEntry)
    /// Refused now (and stored as refused).
    case refused(PaymentRecord)
    /// Already applied (same event id, or the same reference already credited): nothing changed.
    /// Carries the record stored the first time.
    case duplicate(PaymentRecord)

    package var record: PaymentRecord {
        switch self {
        case .credited(let record, _), .refused(let record), .duplicate(let record): record
        }
    }
}

extension PaymentCredit {
    /// The longest key id a payment may name (ids the node makes are 21 characters).
    static let maxKeyIDLength = 64

    /// The refusal the payment earns before its key is looked up, if any.
    var metadataRefusal: PaymentRecord.Refusal? {
        keyID.isEmpty || keyID.count > Self.maxKeyIDLength || credits.millis <= 0 ? .invalidMetadata : nil
    }

    /// The ledger line's note: which event credited the key.
    var ledgerNote: String { "\(provider.rawValue) event \(eventID)" }

    /// The refusal for a key in `state` (nil: no such key), or nil when the key may be credited.
    func refusal(keyState state: APIKeyRecord.State?) -> PaymentRecord.Refusal? {
        if let refusal = metadataRefusal { return refusal }
        switch state {
        case nil: return .unknownKey
        case .revoked?: return .revokedKey
        case .active?, .disabled?: return nil
        }
    }
}
