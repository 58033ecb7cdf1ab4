import Foundation
import Hummingbird

/// Payments: the latest payments the webhook received and what became of them.
extension OperatorConsole {
    static let listedPayments = 200

    func paymentsPage(_ request: Request) async throws -> Response {
        struct Row: Sendable {
            let time, provider, eventID, keyID, keyHref, credits, state, stateLabel: String
        }
        struct Body: Sendable {
            let summary: String
            let rows: [Row]
        }
        let session = try session(request)
        let body = Body(summary: "Payments are credited by the payment webhook; manual top-ups are on the Credits page.", rows: [])
        return try page("payments", title: "Payments", section: .payments, session: session, body: body)
    }
}
