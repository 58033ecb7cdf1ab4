import Foundation
import Hummingbird

/// Payments: the latest payments from providers and what became of them (credited, or refused
/// with the reason), read through ``KeyManager/payments(limit:)``.
extension OperatorConsole {
    static let listedPayments = 200

    func paymentsPage(_ request: Request) async throws -> Response {
        struct Row: Sendable {
            let time, provider, eventID, keyID: String
            let keyHref: String?
            let credits, paid, state, stateLabel: String
        }
        struct Body: Sendable {
            let summary: String
            let rows: [Row]
        }
        let session = try session(request)
        let payments = try await keyManager().payments(limit: Self.listedPayments).payments
        let credited = payments.filter { $0.state == .credited }
        let total = credited.reduce(Int64(0)) { $0 + $1.credits.millis }
        let rows = payments.map { payment in
            Row(time: ConsoleFormat.time(payment.receivedAt), provider: payment.provider.rawValue, eventID: payment.eventID, keyID: payment.keyID,
                keyHref: payment.refusal == .unknownKey || payment.refusal == .invalidMetadata ? nil : Self.keyPath(payment.keyID),
                credits: "\(payment.credits)", paid: Self.paid(payment), state: payment.state.rawValue,
                stateLabel: payment.refusal.map { "refused: \(Self.describe($0))" } ?? payment.state.rawValue)
        }
        let summary = payments.isEmpty ? "No payment has arrived. Payments reach the node through its payment webhook (see the Operator's guide)."
            : "The latest \(payments.count) payments: \(credited.count) credited (\(Credits(millis: total)) credits), "
                + "\(payments.count - credited.count) refused and left for you to settle by hand."
        return try page("payments", title: "Payments", section: .payments, session: session, body: Body(summary: summary, rows: rows))
    }

    static func paid(_ payment: PaymentRecord) -> String {
        guard let amount = payment.amountPaid else { return "—" }
        let currency = payment.currency?.uppercased() ?? ""
        return String(format: "%.2f", Double(amount) / 100) + (currency.isEmpty ? "" : " \(currency)")
    }

    static func describe(_ refusal: PaymentRecord.Refusal) -> String {
        switch refusal {
        case .unknownKey: "no such key"
        case .revokedKey: "the key is revoked"
        case .invalidMetadata: "the key id or credits are missing"
        }
    }
}
