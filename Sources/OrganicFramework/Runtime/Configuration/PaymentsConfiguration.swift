extension NodeConfiguration {
    /// Payments that turn into credits (see Docs/OperatorGuide.md, "Payments").
    public struct Payments: Codable, Sendable, Equatable {
        public var stripe = Stripe()
        public init() {}
    }

    /// `POST /payments/webhook` on the public listener: Stripe Checkout payments credit the key
    /// their session's metadata names. The endpoint's signing secret never appears in the
    /// configuration: it is read from `ORGANIC_STRIPE_WEBHOOK_SECRET`, or from the file
    /// `webhookSecretFile` names.
    public struct Stripe: Codable, Sendable, Equatable {
        /// Serve the webhook. Off: the route does not exist (404).
        public var enabled = false
        /// File holding the endpoint's signing secret (`whsec_…`, surrounding whitespace ignored);
        /// null: the `ORGANIC_STRIPE_WEBHOOK_SECRET` environment variable.
        public var webhookSecretFile: String?
        /// Largest accepted distance, in seconds, between a signature's timestamp and now
        /// (Stripe's libraries default to 300); 1...3600.
        public var toleranceSeconds = 300.0
        /// Largest accepted event body in bytes (Stripe's checkout events are a few KiB); 1 KiB...1 MiB.
        public var maxBodyBytes = 256 << 10
        /// Most credits one payment may add (`organic_credits`); 1...1,000,000,000. A payment
        /// asking for more is refused (`invalid_metadata`) and shown to the operator.
        public var maxCreditsPerPayment = 1_000_000
        public init() {}
    }
}
