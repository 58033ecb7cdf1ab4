import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The Stripe webhook's settings, checked at startup (the secret is read then, and kept only as
/// an HMAC key).
struct StripeWebhookSettings: Sendable {
    let signature: StripeSignature
    let maxBodyBytes: Int
    let maxCredits: Int

    /// nil when `payments.stripe.enabled` is off.
    static func load(_ stripe: NodeConfiguration.Stripe, environment: [String: String]) throws(ConfigurationError) -> StripeWebhookSettings? {
        guard stripe.enabled else { return nil }
        guard stripe.toleranceSeconds.isFinite, (1...3600).contains(stripe.toleranceSeconds) else {
            throw ConfigurationError("payments.stripe.toleranceSeconds must be in [1, 3600]")
        }
        guard (1 << 10 ... 1 << 20).contains(stripe.maxBodyBytes) else {
            throw ConfigurationError("payments.stripe.maxBodyBytes must be 1024...1048576")
        }
        guard (1...1_000_000_000).contains(stripe.maxCreditsPerPayment) else {
            throw ConfigurationError("payments.stripe.maxCreditsPerPayment must be 1...1000000000")
        }
        let source: String, raw: String?
        if let file = stripe.webhookSecretFile, !file.isEmpty {
            source = "the file \(file) (payments.stripe.webhookSecretFile)"
            do { raw = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ConfigurationError("payments.stripe.webhookSecretFile: cannot read \(file): \(error.localizedDescription)")
            }
        } else {
            source = StripeWebhook.secretVariable
            raw = environment[StripeWebhook.secretVariable]
        }
        let secret = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw ConfigurationError("payments.stripe.enabled needs the webhook endpoint's signing secret: set \(StripeWebhook.secretVariable) "
                + "or name a file holding it in payments.stripe.webhookSecretFile")
        }
        // The secret itself never appears in a message.
        guard secret.hasPrefix("whsec_"), secret.utf8.count <= 256, !secret.contains(where: \.isWhitespace) else {
            throw ConfigurationError("the Stripe signing secret in \(source) is not a webhook signing secret (whsec_…; not the API key)")
        }
        return StripeWebhookSettings(signature: StripeSignature(secret: secret, tolerance: stripe.toleranceSeconds),
                                     maxBodyBytes: stripe.maxBodyBytes, maxCredits: stripe.maxCreditsPerPayment)
    }
}

/// `POST /payments/webhook`: Stripe's signed events. A paid Checkout Session whose metadata
/// names a key (`organic_key_id`) and whole credits (`organic_credits`) credits that key once per
/// event (and per session); everything else that is genuine is acknowledged with 200, so that
/// Stripe stops sending it. See Docs/OperatorGuide.md, "Payments".
struct StripeWebhook: Sendable {
    /// Where the signing secret comes from unless `payments.stripe.webhookSecretFile` is set.
    static let secretVariable = "ORGANIC_STRIPE_WEBHOOK_SECRET"
    static let path = "/payments/webhook"

    let settings: StripeWebhookSettings
    let store: any KeyStore
    let clock: any NodeClock
    let logger: Logger

    /// What became of a genuine event (the body of every 200).
    struct Answer: ResponseCodable {
        enum Outcome: String, Codable {
            case credited, duplicate, refused, ignored
        }
        var received = true
        var eventID: String
        var outcome: Outcome
        /// Why it was refused or ignored.
        var reason: String?
    }

    func handle(_ request: Request, bodies: RequestBodyBudget?) async throws -> Answer {
        let body = try await read(request, bodies: bodies)
        do throws(StripeSignature.Failure) {
            try settings.signature.verify(header: Self.signatureField.flatMap { request.headers[$0] }, body: body.readableBytesView, now: clock.now())
        } catch {
            logger.warning("refused a Stripe webhook request", metadata: ["code": "\(error.code)"])
            throw APIError(.badRequest, code: error.code, message: error.message)
        }
        let event = try RequestDecoding.decode(StripeEvent.self, from: body)
        guard !event.id.isEmpty, event.id.count <= StripeEvent.maxIDLength else {
            throw APIError(.badRequest, code: "invalid_event", message: "The event has no valid id.", field: "id")
        }
        var log = logger
        log[metadataKey: "stripe_event"] = "\(event.id)"
        log[metadataKey: "stripe_event_type"] = "\(event.type)"
        guard StripeEvent.creditingTypes.contains(event.type) else {
            log.debug("ignored a Stripe event of a type that credits nothing")
            return Answer(eventID: event.id, outcome: .ignored, reason: "event_type_not_handled")
        }
        let session = try RequestDecoding.decode(StripeCheckoutEvent.self, from: body).data.object
        log[metadataKey: "checkout_session"] = "\(session.id.prefix(255))"
        guard let wanted = CheckoutMetadata.request(in: session.metadata, maxCredits: settings.maxCredits) else {
            log.info("ignored a Checkout Session without Organic metadata")
            return Answer(eventID: event.id, outcome: .ignored, reason: "not_an_organic_checkout")
        }
        log[metadataKey: "key_id"] = "\(wanted.keyID)"
        guard session.paymentStatus == "paid" else {
            log.info("ignored an unpaid Checkout Session (a delayed payment credits on its async_payment_succeeded event)",
                     metadata: ["payment_status": "\(session.paymentStatus.prefix(32))"])
            return Answer(eventID: event.id, outcome: .ignored, reason: "not_paid")
        }
        let payment = PaymentCredit(provider: .stripe, eventID: event.id, keyID: wanted.keyID, credits: wanted.credits,
                                    reference: String(session.id.prefix(255)), amountPaid: session.amountTotal,
                                    currency: session.currency.map { String($0.prefix(8)) })
        let outcome = try await store.applyPayment(payment, now: clock.now())
        switch outcome {
        case .credited(_, let entry):
            log.notice("credited a key for a Stripe payment", metadata: ["credits": "\(entry.amount)", "ledger_entry": "\(entry.id)"])
            return Answer(eventID: event.id, outcome: .credited)
        case .duplicate(let first):
            log.info("a Stripe payment already applied arrived again; nothing changed", metadata: ["first_event": "\(first.eventID)"])
            return Answer(eventID: event.id, outcome: .duplicate)
        case .refused(let record):
            let reason = record.refusal?.rawValue ?? "refused"
            log.warning("refused a paid Stripe checkout: settle it by hand (refund in Stripe, or organic keys credit)",
                        metadata: ["reason": "\(reason)", "organic_credits": "\(wanted.rawCredits)"])
            return Answer(eventID: event.id, outcome: .refused, reason: reason)
        }
    }

    static let signatureField = HTTPField.Name("Stripe-Signature")

    /// The raw body, read only as far as the limit, its size claimed from the node-wide budget.
    private func read(_ request: Request, bodies: RequestBodyBudget?) async throws -> ByteBuffer {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > settings.maxBodyBytes {
            throw await Self.refusedUnread(APIError.bodyTooLarge(limit: settings.maxBodyBytes), request)
        }
        let claim = min(declared ?? settings.maxBodyBytes, settings.maxBodyBytes)
        if let bodies, !bodies.claim(claim) {
            throw await Self.refusedUnread(.unavailable("overloaded", "The node is reading too many request bodies at once; retry shortly.",
                                                        retryAfter: 1), request)
        }
        defer { bodies?.release(claim) }
        do {
            return try await request.body.collect(upTo: settings.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: settings.maxBodyBytes)
        } catch {
            throw APIError(.badRequest, code: "malformed_body", message: "The request body could not be read: it ended early or its framing is invalid.")
        }
    }

    /// `error`, after reading and discarding a bounded amount of the unread body (or with the
    /// connection closed), so that a client that sends all before reading gets its answer.
    private static func refusedUnread(_ error: APIError, _ request: Request) async -> APIError {
        var error = error
        if await !RequestBodyDrain.discard(request.body, declaredLength: request.headers[.contentLength].flatMap(Int.init)) {
            error.headers[.connection] = "close"
        }
        return error
    }
}
