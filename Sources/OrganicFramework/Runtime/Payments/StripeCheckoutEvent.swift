import Foundation

/// The part of a Stripe event the webhook reads. Decoded only after its signature is verified;
/// fields the node does not use are ignored (Stripe adds fields over time).
struct StripeEvent: Decodable {
    var id: String
    var type: String

    /// Checkout events the webhook credits (when paid): `completed` for card-like methods, and
    /// `async_payment_succeeded` for delayed ones, whose `completed` event arrives unpaid.
    static let creditingTypes: Set<String> = ["checkout.session.completed", "checkout.session.async_payment_succeeded"]
    /// Stripe's event ids are `evt_` and a few dozen characters.
    static let maxIDLength = 255
}

/// A `checkout.session.*` event: `data.object` is the Checkout Session.
struct StripeCheckoutEvent: Decodable {
    struct Payload: Decodable {
        var object: Session
    }

    struct Session: Decodable {
        var id: String
        /// `paid`, `unpaid` or `no_payment_required`.
        var paymentStatus: String
        var metadata: [String: String]?
        var amountTotal: Int64?
        var currency: String?

        enum CodingKeys: String, CodingKey {
            case id, metadata, currency
            case paymentStatus = "payment_status"
            case amountTotal = "amount_total"
        }
    }

    var data: Payload
}

/// The metadata an operator sets on a Checkout Session so that its payment credits a key.
enum CheckoutMetadata {
    /// The key to credit (`key_…`, as `organic keys list` shows it).
    static let keyID = "organic_key_id"
    /// Whole credits to add, as a decimal string (Stripe metadata values are strings).
    static let credits = "organic_credits"

    /// What the session asks for: nil when it names neither field (not an Organic checkout);
    /// otherwise the key id (bounded) and the credits, zero when missing, not a plain positive
    /// integer, or above `maxCredits` (the store then refuses it as invalid metadata).
    static func request(in metadata: [String: String]?, maxCredits: Int) -> (keyID: String, credits: Credits, rawCredits: String)? {
        let key = metadata?[keyID], raw = metadata?[credits]
        guard key != nil || raw != nil else { return nil }
        var amount = Credits.zero
        if let raw, (1...10).contains(raw.count), raw.first != "0", raw.allSatisfy({ ("0"..."9").contains($0) }),
           let whole = Int64(raw), whole <= maxCredits {
            amount = Credits(millis: whole * 1000)
        }
        // One character more than a key id may have, so that a longer one is still refused as such.
        return (String((key ?? "").prefix(PaymentCredit.maxKeyIDLength + 1)), amount, String((raw ?? "").prefix(32)))
    }
}
