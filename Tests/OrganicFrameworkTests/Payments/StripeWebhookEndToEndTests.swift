import Foundation
@testable import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// `POST /payments/webhook` on a real node over loopback HTTP, with events built and signed by
/// the official `stripe` Python package, on every store backend.
@Suite("Stripe webhook end to end", .serialized)
struct StripeWebhookEndToEndTests {
    static let python = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let pythonMissing = "ORGANIC_PYTHON is not set: the Stripe webhook end-to-end test needs the stripe package (scripts/test.sh installs it)"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stripe_webhook.py").path
    static let secret = "whsec_endToEndSecret_\(UUID().uuidString.prefix(8))"

    /// Admin API answers (ISO-8601 dates).
    static var adminDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// One webhook request as Stripe would send it.
    struct Signed: Decodable, Sendable {
        var body: String
        var header: String
    }

    /// What the script is asked to build and sign.
    struct Wanted: Encodable {
        var id: String
        var type = "checkout.session.completed"
        var session: [String: JSONValue]
        var secret = StripeWebhookEndToEndTests.secret
        var timestamp: Int?
    }

    static func session(_ id: String, key: String, credits: String, paid: Bool = true) -> [String: JSONValue] {
        ["id": .string(id), "payment_status": .string(paid ? "paid" : "unpaid"), "amount_total": .integer(1999), "currency": .string("eur"),
         "metadata": .object(["organic_key_id": .string(key), "organic_credits": .string(credits)])]
    }

    /// Bodies and headers from the stripe package, in the order asked.
    static func sign(_ wanted: [Wanted]) async throws -> [Signed] {
        let result = try await ChildProcess.run(try #require(python), [script, "webhooks"], stdin: try JSONEncoder().encode(wanted))
        try #require(result.status == 0, "stripe_webhook.py failed: \(result.errorText)")
        return try JSONDecoder().decode([Signed].self, from: result.output)
    }

    static func configuration(_ database: TestDatabase, secretFile: URL) -> NodeConfiguration {
        var configuration = PluginHarness.testConfiguration()
        configuration.database.path = database.configuration.path
        configuration.database.url = database.configuration.url
        configuration.payments.stripe.enabled = true
        configuration.payments.stripe.webhookSecretFile = secretFile.path
        configuration.payments.stripe.maxCreditsPerPayment = 10_000
        return configuration
    }

    static func post(_ net: PluginHarness.Network, _ signed: Signed, body: String? = nil, header: String?? = nil) async throws -> TestHTTPClient.Reply {
        var headers = ["Content-Type": "application/json; charset=utf-8"]
        if let value = header ?? signed.header { headers["Stripe-Signature"] = value }
        return try await net.anonymousClient.post(net.publicURL + StripeWebhook.path, raw: Data((body ?? signed.body).utf8), headers: headers)
    }

    static func outcome(_ reply: TestHTTPClient.Reply) -> String {
        guard reply.status == 200, let answer = try? reply.decode(StripeWebhook.Answer.self) else { return "\(reply.status) \(reply.errorCode ?? reply.text)" }
        return answer.outcome.rawValue + (answer.reason.map { " \($0)" } ?? "")
    }

    @Test("signed checkout events credit once across retries and concurrent deliveries; tampered, stale, foreign and unsigned ones credit nothing; the ledger names each event and sums to the balance",
          .enabled(if: python != nil, "\(pythonMissing)"), arguments: StoreBackend.all)
    func webhook(_ backend: StoreBackend) async throws {
        let database = try await TestDatabase.make(backend)
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("stripe-whsec-\(UUID().uuidString)")
        try (Self.secret + "\n").write(to: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secretFile) }
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1),
                                    configuration: Self.configuration(database, secretFile: secretFile)) { net in
            let key = try await net.createKey(KeyCreation(name: "buyer")).record.id
            let now = Int(Date().timeIntervalSince1970)
            let signed = try await Self.sign([
                Wanted(id: "evt_paid", session: Self.session("cs_paid", key: key, credits: "250")),
                Wanted(id: "evt_tampered", session: Self.session("cs_tampered", key: key, credits: "1")),
                Wanted(id: "evt_stale", session: Self.session("cs_stale", key: key, credits: "40"), timestamp: now - 400),
                Wanted(id: "evt_future", session: Self.session("cs_future", key: key, credits: "40"), timestamp: now + 400),
                Wanted(id: "evt_foreign", session: Self.session("cs_foreign", key: key, credits: "40"), secret: "whsec_anotherEndpoint"),
                Wanted(id: "evt_paid", session: Self.session("cs_paid", key: key, credits: "250")),  // Stripe's "resend": signed anew
                Wanted(id: "evt_unknown", session: Self.session("cs_unknown", key: "key_nobody", credits: "10")),
                Wanted(id: "evt_delayed", session: Self.session("cs_delayed", key: key, credits: "100", paid: false)),
                Wanted(id: "evt_delayed_paid", type: "checkout.session.async_payment_succeeded", session: Self.session("cs_delayed", key: key, credits: "100")),
                Wanted(id: "evt_other", type: "customer.created", session: Self.session("cus_1", key: key, credits: "5")),
                Wanted(id: "evt_too_many", session: Self.session("cs_many", key: key, credits: "10001")),
            ])
            let paid = signed[0]

            // Stripe retries until it gets a 2xx; here the same delivery arrives 5 times, then 12 at once.
            var outcomes = [Self.outcome(try await Self.post(net, paid))]
            for _ in 0..<4 { outcomes.append(Self.outcome(try await Self.post(net, paid))) }
            #expect(outcomes == ["credited"] + Array(repeating: "duplicate", count: 4))
            let concurrent = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<12 { group.addTask { Self.outcome(try await Self.post(net, paid)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(concurrent == Array(repeating: "duplicate", count: 12))
            #expect(Self.outcome(try await Self.post(net, signed[5])) == "duplicate", "a re-signed replay of a credited event")

            // Refused before anything is read into the store: 400 with a stable code.
            let tampered = signed[1].body.replacingOccurrences(of: "\"organic_credits\":\"1\"", with: "\"organic_credits\":\"9999\"")
            #expect(tampered != signed[1].body)
            #expect(Self.outcome(try await Self.post(net, signed[1], body: tampered)) == "400 signature_mismatch")
            #expect(Self.outcome(try await Self.post(net, signed[2])) == "400 signature_outside_tolerance")
            #expect(Self.outcome(try await Self.post(net, signed[3])) == "400 signature_outside_tolerance")
            #expect(Self.outcome(try await Self.post(net, signed[4])) == "400 signature_mismatch")
            #expect(Self.outcome(try await Self.post(net, paid, header: .some(nil))) == "400 signature_missing")
            #expect(Self.outcome(try await Self.post(net, paid, header: "t=\(now)")) == "400 signature_malformed")
            let huge = String(repeating: " ", count: 300 << 10)
            #expect(Self.outcome(try await Self.post(net, paid, body: paid.body + huge)) == "413 body_too_large")

            // Genuine events that credit nothing are acknowledged (Stripe would retry anything else).
            #expect(Self.outcome(try await Self.post(net, signed[6])) == "refused unknown_key")
            #expect(Self.outcome(try await Self.post(net, signed[6])) == "duplicate")
            #expect(Self.outcome(try await Self.post(net, signed[7])) == "ignored not_paid")
            #expect(Self.outcome(try await Self.post(net, signed[8])) == "credited")
            #expect(Self.outcome(try await Self.post(net, signed[9])) == "ignored event_type_not_handled")
            #expect(Self.outcome(try await Self.post(net, signed[10])) == "refused invalid_metadata")

            // What the operator sees: the ledger names the events, and the balance is its sum.
            let shown = try await net.adminClient.get(net.adminURL + "/admin/keys/\(key)/ledger?limit=100")
            let details = try Self.adminDecoder.decode(KeyDetails.self, from: shown.body)
            let ledger = try #require(details.ledger)
            #expect(details.balance == Credits(350))
            #expect(ledger.reduce(Int64(0)) { $0 + $1.amount.millis } == details.balance.millis)
            #expect(ledger.map(\.note) == ["stripe event evt_delayed_paid", "stripe event evt_paid"])
            #expect(ledger.allSatisfy { $0.kind == .grant && $0.actor == "stripe" })
            let listed = try await net.adminClient.get(net.adminURL + "/admin/payments?limit=10")
            let payments = try Self.adminDecoder.decode(PaymentListing.self, from: listed.body).payments
            #expect(payments.map { "\($0.eventID) \($0.state.rawValue) \($0.refusal?.rawValue ?? "-")" } == [
                "evt_too_many refused invalid_metadata", "evt_delayed_paid credited -", "evt_unknown refused unknown_key", "evt_paid credited -",
            ])
            #expect(payments[3].ledgerEntryID == ledger.last?.id && payments[3].reference == "cs_paid" && payments[3].amountPaid == 1999)
            #expect(try await net.anonymousClient.get(net.adminURL + "/admin/payments").status == 401)
        }
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("off by default: the route does not exist; enabled without a secret, the node refuses to start")
    func offByDefault() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            let reply = try await net.anonymousClient.post(net.publicURL + StripeWebhook.path, raw: Data("{}".utf8),
                                                           headers: ["Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00"])
            #expect(reply.status == 404)
        }
        var configuration = PluginHarness.testConfiguration()
        configuration.payments.stripe.enabled = true
        configuration.payments.stripe.webhookSecretFile = "/nonexistent/stripe-secret"
        await #expect(throws: ConfigurationError.self) {
            try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1), configuration: configuration) { _ in }
        }
    }

    @Test("operators' credits name their channel: the JSON admin route records admin-api, or cli when the CLI says so; no other actor may be claimed")
    func adminCreditActors() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            let key = try await net.createKey(KeyCreation(name: "topped up")).record.id
            let url = net.adminURL + "/admin/keys/\(key)/credits"
            #expect(try await net.adminClient.post(url, json: CreditChange(amount: 5, note: "invoice 12")).status == 200)
            #expect(try await net.adminClient.post(url, json: CreditChange(amount: 1, actor: .cli)).status == 200)
            let forged = try await net.adminClient.post(url, raw: Data(#"{"amount": 1, "actor": "stripe"}"#.utf8),
                                                        headers: ["Content-Type": "application/json"])
            #expect(forged.status == 400)
            let ledger = try #require(try await net.context.keys?.show(id: key).ledger)
            #expect(ledger.map(\.actor) == ["cli", "admin-api"])
            #expect(ledger.last?.note == "invoice 12")
        }
    }
}
