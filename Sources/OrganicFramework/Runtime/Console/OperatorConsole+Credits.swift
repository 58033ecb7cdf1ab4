import Foundation
import Hummingbird

/// Credits: top up, refund or adjust a key with a reason; each is one ledger line that names
/// who made it (the console) and why.
extension OperatorConsole {
    /// What the credit form asks for.
    enum CreditOperation: String, Sendable {
        /// Adds credits (a `grant` line).
        case topUp = "top_up"
        /// Gives credits back after a charge (a `refund` line).
        case refund
        /// Adds or takes off credits (`grant` or `adjustment`), never below zero.
        case adjust
    }

    /// Keys whose ledgers the recent-entries list reads (the most recently created).
    static let creditScanKeys = 50
    static let recentCreditEntries = 50

    func registerCreditPages(on console: RouterGroup<OrganicRequestContext>) {
        console.get("credits") { request, _ in try await creditsPage(request) }
        console.post("credits") { request, _ in
            let (session, form) = try await form(request)
            return try await action(session, back: ConsoleSection.credits.path) {
                guard let id = form.value("key") else {
                    throw APIError(.badRequest, code: "invalid_value", message: "Choose a key.", field: "key")
                }
                let result = try await credit(id: id, form)
                return done(session, at: ConsoleSection.credits.path,
                            .init(kind: .notice, message: "Recorded \(ConsoleFormat.credits(result.entry.amount, signed: true)) credits on \(id); its balance is \(result.balance)."))
            }
        }
    }

    /// Applies the credit form to key `id`.
    func credit(id: String, _ form: ConsoleForm) async throws -> CreditResult {
        guard let operation = CreditOperation(rawValue: form.value("operation") ?? CreditOperation.topUp.rawValue) else {
            throw APIError(.badRequest, code: "invalid_value", message: "operation must be top_up, refund or adjust.", field: "operation")
        }
        guard let amount = try form.number("amount"), amount != 0 else {
            throw APIError(.badRequest, code: "invalid_value", message: "Give a non-zero number of credits.", field: "amount")
        }
        guard let reason = form.value("reason") else {
            throw APIError(.badRequest, code: "reason_required", message: "Say why: the reason is kept on the ledger line.", field: "reason")
        }
        if operation != .adjust, amount < 0 {
            throw APIError(.badRequest, code: "invalid_value", message: "A top-up or refund adds credits; use an adjustment to take some off.",
                           field: "amount")
        }
        return try await keyManager().credit(id: id, amount: amount, note: reason, refund: operation == .refund, actor: LedgerActor.console)
    }

    func creditsPage(_ request: Request) async throws -> Response {
        struct Entry: Sendable {
            let time, keyName, keyHref, kind, amount, actor, note: String
            let negative: Bool
            let date: Date
        }
        struct Body: Sendable {
            let creditAction = ConsoleSection.credits.path
            let chooseKey = true
            let keyChoices: [Choice]
            let hasChoices: Bool
            let keyCount: Int
            let totalBalance: String
            let unlimitedCount: Int
            let scannedKeys: Int
            let entries: [Entry]
        }
        let session = try session(request)
        let manager = try keyManager()
        let selected = request.uri.queryParameters.get("key")
        let keys = try await manager.list().keys.sorted { $0.record.createdAt > $1.record.createdAt }
        let choices = keys.filter { $0.record.state != .revoked }.map { details in
            Choice(value: details.record.id, label: "\(details.record.name) (\(details.record.id), balance \(details.balance))",
                      selected: details.record.id == selected)
        }
        var entries: [Entry] = []
        for details in keys.prefix(Self.creditScanKeys) {
            for entry in try await manager.store.ledger(id: details.record.id, limit: Self.recentCreditEntries)
            where [.grant, .refund, .adjustment].contains(entry.kind) {
                entries.append(Entry(time: ConsoleFormat.time(entry.createdAt), keyName: details.record.name, keyHref: Self.keyPath(details.record.id),
                                     kind: entry.kind.rawValue, amount: ConsoleFormat.credits(entry.amount, signed: true),
                                     actor: Self.actor(of: entry), note: entry.note ?? "", negative: entry.amount.millis < 0, date: entry.createdAt))
            }
        }
        entries.sort { $0.date > $1.date }
        let total = keys.filter { !$0.record.unlimitedCredits }.reduce(Int64(0)) { $0 + $1.balance.millis }
        let body = Body(keyChoices: choices, hasChoices: !choices.isEmpty, keyCount: keys.count, totalBalance: "\(Credits(millis: total))",
                        unlimitedCount: keys.filter(\.record.unlimitedCredits).count, scannedKeys: min(keys.count, Self.creditScanKeys),
                        entries: Array(entries.prefix(Self.recentCreditEntries)))
        return try page("credits", title: "Credits", section: .credits, session: session, body: body)
    }
}
