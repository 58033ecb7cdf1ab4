import Foundation
@testable import OrganicFramework
import Testing

/// The Stripe webhook signature against vectors made by the official `stripe` package, the
/// Checkout metadata rules and the webhook's settings.
@Suite("Stripe webhook signature and settings")
struct StripeSignatureTests {
    static let signature = StripeSignature(secret: StripeSignatureVectors.secret, tolerance: 300)

    /// Our verdict for a vector, as the refusal's API code ("ok" when accepted).
    static func verdict(_ vector: StripeSignatureVectors.Case) -> String {
        do throws(StripeSignature.Failure) {
            try signature.verify(header: vector.header, body: Array(vector.payload.utf8), now: Date(timeIntervalSince1970: Double(vector.now)))
            return "ok"
        } catch {
            return error.code
        }
    }

    /// The official verifier's message, as our code. Stripe's libraries accept timestamps from
    /// the future; the node refuses those beyond the tolerance as well.
    static func expected(_ vector: StripeSignatureVectors.Case) -> String {
        if vector.name == "future beyond tolerance" { return "signature_outside_tolerance" }
        let codes: [(String, String)] = [
            ("ok", "ok"), ("No signatures found matching", "signature_mismatch"), ("Timestamp outside", "signature_outside_tolerance"),
            ("No signatures found with expected scheme", "signature_malformed"), ("Unable to extract", "signature_malformed"),
            ("No Stripe-Signature header", "signature_missing"),
        ]
        return codes.first { vector.stripe.hasPrefix($0.0) }?.1 ?? "unmapped: \(vector.stripe)"
    }

    @Test("every vector gets the official verifier's verdict (valid, tampered, wrong secret, stale, several v1, malformed)",
          arguments: StripeSignatureVectors.cases)
    func vectors(_ vector: StripeSignatureVectors.Case) {
        #expect(Self.verdict(vector) == Self.expected(vector))
    }

    @Test("the official verifier accepts a timestamp 301 s ahead; the node refuses it (and accepts 300 s)")
    func futureIsBounded() {
        let future = StripeSignatureVectors.cases.filter { $0.name.hasPrefix("future") }
        #expect(future.map(\.stripe) == ["ok", "ok"])
        #expect(future.map(Self.verdict) == ["signature_outside_tolerance", "ok"])
    }

    @Test("headers that are too long, repeat t, have an element without '=' or too many elements are malformed; a v1 that is not hex only fails to match")
    func malformedHeaders() throws {
        let good = try #require(StripeSignatureVectors.cases.first { $0.name == "valid" })
        let v1 = String(good.header.split(separator: "v1=")[1])
        let now = Date(timeIntervalSince1970: Double(StripeSignatureVectors.timestamp))
        let body = Array(StripeSignatureVectors.payload.utf8)
        func code(_ header: String?) -> String {
            do throws(StripeSignature.Failure) { try Self.signature.verify(header: header, body: body, now: now); return "ok" } catch { return error.code }
        }
        let t = "t=\(StripeSignatureVectors.timestamp)"
        #expect(code("\(t),v1=\(v1)") == "ok")
        #expect(code(nil) == "signature_missing")
        #expect(code("\(t),\(t),v1=\(v1)") == "signature_malformed")
        #expect(code("\(t),v1=\(v1),garbage") == "signature_malformed")
        #expect(code("t=-5,v1=\(v1)") == "signature_malformed")
        #expect(code("t=1234567890123,v1=\(v1)") == "signature_malformed")
        #expect(code("\(t),v1=\(v1)," + Array(repeating: "v0=x", count: 40).joined(separator: ",")) == "signature_malformed")
        #expect(code("\(t),v1=\(v1),v0=" + String(repeating: "a", count: 5000)) == "signature_malformed")
        #expect(code("\(t),v1=zz\(v1.dropFirst(2))") == "signature_mismatch")
        #expect(code("\(t),v1=") == "signature_mismatch")
        #expect(code("\(t),v1=\(v1.uppercased())") == "ok")  // hex digits either case, as bytes
        #expect(code("\(t), v1=\(v1)") == "signature_malformed")  // " v1" is no v1, as in Stripe's parser
    }

    @Test("the signature covers the raw bytes: a re-encoded body with the same JSON value does not verify")
    func rawBytes() throws {
        let good = try #require(StripeSignatureVectors.cases.first { $0.name == "valid" })
        let reencoded = StripeSignatureVectors.payload.replacingOccurrences(of: "é", with: "\\u00e9")
        #expect(reencoded != StripeSignatureVectors.payload)
        #expect(throws: StripeSignature.Failure.mismatch) {
            try Self.signature.verify(header: good.header, body: Array(reencoded.utf8), now: Date(timeIntervalSince1970: Double(good.now)))
        }
    }

    @Test("Checkout metadata: both names or neither; credits a plain positive integer within the bound, else zero (refused)")
    func metadata() {
        func ask(_ metadata: [String: String]?) -> String? {
            CheckoutMetadata.request(in: metadata, maxCredits: 1000).map { "\($0.keyID)/\($0.credits)" }
        }
        #expect(ask(nil) == nil && ask([:]) == nil && ask(["other": "x"]) == nil)
        #expect(ask(["organic_key_id": "key_a", "organic_credits": "250"]) == "key_a/250")
        #expect(ask(["organic_key_id": "key_a", "organic_credits": "1000"]) == "key_a/1000")
        for bad in ["1001", "0", "-5", "+5", "05", "2.5", "1e3", " 5", "", "99999999999", "٥"] {
            #expect(ask(["organic_key_id": "key_a", "organic_credits": bad]) == "key_a/0", "\(bad)")
        }
        #expect(ask(["organic_credits": "5"]) == "/5")
        #expect(ask(["organic_key_id": "key_a"]) == "key_a/0")
        #expect(ask(["organic_key_id": String(repeating: "k", count: 500), "organic_credits": "5"])?.count == 65 + 2)
    }

    @Test("settings: off by default; on, the secret comes from the environment or a file, must be a whsec_ secret and never appears in errors")
    func settings() throws {
        var stripe = NodeConfiguration.Stripe()
        #expect(try StripeWebhookSettings.load(stripe, environment: [StripeWebhook.secretVariable: "whsec_x"]) == nil)
        stripe.enabled = true
        #expect(throws: ConfigurationError.self) { try StripeWebhookSettings.load(stripe, environment: [:]) }
        let fromEnvironment = try #require(try StripeWebhookSettings.load(stripe, environment: [StripeWebhook.secretVariable: StripeSignatureVectors.secret]))
        #expect(fromEnvironment.maxBodyBytes == 256 << 10 && fromEnvironment.maxCredits == 1_000_000 && fromEnvironment.signature.tolerance == 300)
        do throws(ConfigurationError) {
            _ = try StripeWebhookSettings.load(stripe, environment: [StripeWebhook.secretVariable: "sk_live_notASigningSecret"])
            Issue.record("an API key was accepted as the signing secret")
        } catch {
            #expect(!error.description.contains("sk_live_notASigningSecret") && error.description.contains(StripeWebhook.secretVariable))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stripe-secret-\(UUID().uuidString)")
        try (StripeSignatureVectors.secret + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        stripe.webhookSecretFile = file.path
        let fromFile = try #require(try StripeWebhookSettings.load(stripe, environment: [:]))
        let vector = try #require(StripeSignatureVectors.cases.first { $0.name == "valid" })
        try fromFile.signature.verify(header: vector.header, body: Array(vector.payload.utf8), now: Date(timeIntervalSince1970: Double(vector.now)))
        stripe.webhookSecretFile = file.path + ".missing"
        #expect(throws: ConfigurationError.self) { try StripeWebhookSettings.load(stripe, environment: [StripeWebhook.secretVariable: "whsec_x"]) }
        stripe.webhookSecretFile = nil
        for change in [{ (s: inout NodeConfiguration.Stripe) in s.toleranceSeconds = 0 }, { $0.toleranceSeconds = .infinity },
                       { $0.maxBodyBytes = 100 }, { $0.maxBodyBytes = 2 << 20 }, { $0.maxCreditsPerPayment = 0 }] {
            var bad = stripe
            change(&bad)
            #expect(throws: ConfigurationError.self) { try StripeWebhookSettings.load(bad, environment: [StripeWebhook.secretVariable: "whsec_x"]) }
        }
    }

    @Test("the secret's environment variable is not mistaken for an unknown setting; payments.stripe.* are settings")
    func configurationLoader() throws {
        let loaded = try ConfigurationLoader(environment: [StripeWebhook.secretVariable: "whsec_x", "ORGANIC_PAYMENTS_STRIPE_ENABLED": "true",
                                                           "ORGANIC_PAYMENTS_STRIPE_WEBHOOK_SECRET_FILE": "/run/secrets/stripe"]).load(path: nil)
        #expect(loaded.payments.stripe.enabled && loaded.payments.stripe.webhookSecretFile == "/run/secrets/stripe")
        #expect(NodeConfiguration().payments.stripe.enabled == false)
    }
}
