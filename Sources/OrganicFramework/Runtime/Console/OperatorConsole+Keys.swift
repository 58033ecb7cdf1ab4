import Foundation
import Hummingbird

/// Keys: the list with search, creation (the secret shown once), a key's page with its
/// balance, ledger and usage, and the forms that change it. Everything goes through
/// ``KeyManager``, as `/admin/keys` does.
extension OperatorConsole {
    /// Most keys a list shows (the rest are counted).
    static let maxListedKeys = 500
    static let ledgerLines = 100
    static let keyUsageDays = 30

    struct Choice: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct EndpointChoice: Sendable {
        let name: String
        let checked: Bool
    }

    /// The settings create and change share (the `key-limits` partial).
    struct KeyLimitsForm: Sendable {
        let endpoints: [EndpointChoice]
        let rateLimits: String
        let maxConcurrent: String
        let refillAmount: String
        let refillPeriods: [Choice]
        /// The accepted tiers; a stored tier no longer configured selects standard, as it is served.
        let tiers: [Choice]

        init(record: APIKeyRecord?, known: [String], tiers accepted: Set<KeyTier>) {
            let current = record?.tier.flatMap { accepted.contains($0) ? $0 : nil } ?? .standard
            tiers = accepted.sorted { $0.rawValue < $1.rawValue }.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == current) }
            endpoints = known.map { EndpointChoice(name: $0, checked: record?.scopes.contains($0) ?? false) }
            rateLimits = record?.rateLimits.map(\.description).joined(separator: ", ") ?? ""
            maxConcurrent = record?.maxConcurrent.map(String.init) ?? ""
            refillAmount = record?.refill.map { "\($0.amount)" } ?? ""
            refillPeriods = [CreditRefill.Period.day, .month].map {
                Choice(value: $0.rawValue, label: $0.rawValue, selected: record?.refill?.period == $0)
            }
        }
    }

    func registerKeyPages(on console: RouterGroup<OrganicRequestContext>) {
        console.get("keys") { request, _ in try await keysPage(request) }
        console.post("keys") { request, _ in
            let (session, form) = try await form(request)
            return try await action(session, back: ConsoleSection.keys.path) {
                let created = try await keyManager().create(try Self.creation(form))
                return done(session, at: Self.keyPath(created.record.id),
                            .init(kind: .notice, message: "Key “\(created.record.name)” created.", secret: (created.record.id, created.key)))
            }
        }
        console.get("keys/:id") { request, context in try await keyPage(request, id: try Self.keyID(context)) }
        console.post("keys/:id/settings") { request, context in
            let (session, form) = try await form(request)
            let id = try Self.keyID(context)
            return try await action(session, back: Self.keyPath(id)) {
                _ = try await keyManager().update(id: id, try Self.changes(form))
                return done(session, at: Self.keyPath(id), .init(kind: .notice, message: "Settings saved."))
            }
        }
        console.post("keys/:id/rotate") { request, context in
            let (session, _) = try await form(request)
            let id = try Self.keyID(context)
            return try await action(session, back: Self.keyPath(id)) {
                let rotated = try await keyManager().rotate(id: id)
                return done(session, at: Self.keyPath(id), .init(kind: .notice, message: "Secret rotated: the old one no longer works.",
                                                                  secret: (id, rotated.key)))
            }
        }
        console.post("keys/:id/revoke") { request, context in
            let (session, _) = try await form(request)
            let id = try Self.keyID(context)
            return try await action(session, back: Self.keyPath(id)) {
                _ = try await keyManager().revoke(id: id)
                return done(session, at: Self.keyPath(id), .init(kind: .notice, message: "Key revoked."))
            }
        }
        console.post("keys/:id/credits") { request, context in
            let (session, form) = try await form(request)
            let id = try Self.keyID(context)
            return try await action(session, back: Self.keyPath(id)) {
                let result = try await credit(id: id, form)
                return done(session, at: Self.keyPath(id), .init(kind: .notice, message: "Recorded \(ConsoleFormat.credits(result.entry.amount, signed: true)) credits; the balance is \(result.balance)."))
            }
        }
    }

    static func keyPath(_ id: String) -> String {
        "/console/keys/" + ConsoleFormat.pathSegment(id)
    }

    static func keyID(_ context: OrganicRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty, id.count <= 64 else { throw APIError.notFound("No key id given.") }
        return id
    }

    // MARK: - The list

    func keysPage(_ request: Request) async throws -> Response {
        struct Row: Sendable {
            let id, href, name, owner, prefix, state, balance, scopes, limits, expires, lastUsed: String
        }
        struct Body: Sendable {
            let query: String
            let states: [Choice]
            let keys: [Row]
            let hasKeys: Bool
            let shown: Int
            let matching: Int
            let total: Int
            let limitsForm: KeyLimitsForm
        }
        let session = try session(request)
        let manager = try keyManager()
        // Parsed as a form: browsers send a search's spaces as `+`.
        let search = try ConsoleForm(parsing: request.uri.query ?? "")
        let query = String((search.value("q") ?? "").prefix(200))
        let state = search.value("state").flatMap(APIKeyRecord.State.init(rawValue:))
        let all = try await manager.list().keys.sorted { $0.record.createdAt > $1.record.createdAt }
        let matching = all.filter { details in
            let record = details.record
            guard state.map({ $0 == record.state }) ?? true else { return false }
            guard !query.isEmpty else { return true }
            return [record.id, record.name, record.owner, record.displayPrefix].contains { $0.localizedCaseInsensitiveContains(query) }
        }
        let rows = matching.prefix(Self.maxListedKeys).map { details in
            let record = details.record
            return Row(id: record.id, href: Self.keyPath(record.id), name: record.name, owner: record.owner, prefix: record.displayPrefix,
                       state: record.state.rawValue, balance: record.unlimitedCredits ? "unlimited" : "\(details.balance)",
                       scopes: Self.scopes(record), limits: Self.limits(record), expires: ConsoleFormat.time(record.expiresAt),
                       lastUsed: ConsoleFormat.time(record.lastUsedAt))
        }
        let states = [Choice(value: "", label: "any", selected: state == nil)]
            + [APIKeyRecord.State.active, .disabled, .revoked].map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == state) }
        let body = Body(query: query, states: states, keys: Array(rows), hasKeys: !rows.isEmpty, shown: rows.count, matching: matching.count, total: all.count,
                        limitsForm: KeyLimitsForm(record: nil, known: knownEndpoints, tiers: acceptedTiers))
        return try page("keys", title: "Keys", section: .keys, session: session, body: body)
    }

    var knownEndpoints: [String] {
        keys?.knownEndpoints.map { $0.sorted() } ?? []
    }

    var acceptedTiers: Set<KeyTier> {
        keys?.tiers ?? [.standard]
    }

    /// A key's tier as the page shows it, saying when it is no longer configured.
    func tierText(_ record: APIKeyRecord) -> String {
        let tier = record.tier ?? .standard
        return acceptedTiers.contains(tier) ? tier.rawValue : "\(tier.rawValue.prefix(KeyTier.maxNameLength)) (not configured: served as standard)"
    }

    static func scopes(_ record: APIKeyRecord) -> String {
        record.scopes.isEmpty ? "all endpoints" : record.scopes.joined(separator: ", ")
    }

    static func limits(_ record: APIKeyRecord) -> String {
        record.rateLimits.isEmpty ? "none" : record.rateLimits.map(\.description).joined(separator: ", ")
    }

    // MARK: - A key

    func keyPage(_ request: Request, id: String) async throws -> Response {
        struct Secret: Sendable {
            let heading: String
            let value: String
        }
        struct LedgerRow: Sendable {
            let time, kind, amount, endpoint, actor, note: String
            let negative: Bool
        }
        struct UsageRow: Sendable {
            let day, endpoint, requests, errors, credits, latency: String
        }
        struct Body: Sendable {
            let id, href, name, owner, prefix, state, created, lastUsed, expires, scopes, limits, concurrency, refill, tier, balance: String
            /// Held by requests in flight and still counted in the balance; nil when nothing is.
            let held: String?
            let enabled, unlimited, revoked: Bool
            let secret: Secret?
            let creditAction: String
            let chooseKey = false
            let ledger: [LedgerRow]
            let ledgerLimit: Int
            let usage: [UsageRow]
            let hasUsage: Bool
            let usageDays: Int
            let requestsChart: SVGMarkup
            let creditsChart: SVGMarkup
            let limitsForm: KeyLimitsForm
        }
        let session = try session(request)
        let manager = try keyManager()
        let details = try await manager.show(id: id, ledgerLimit: Self.ledgerLines)
        let usage = try await manager.usage(id: id, days: Self.keyUsageDays)
        let flash = sessions.takeFlash(session: session.id)
        let record = details.record
        let secret = flash?.secret.flatMap { $0.keyID == id ? Secret(heading: "The key's secret", value: $0.secret) : nil }
        let days = Self.dayLabels(days: Self.keyUsageDays, now: clock.now())
        let daily = UsageTotals(usage.days)
        let body = Body(
            id: record.id, href: Self.keyPath(record.id), name: record.name, owner: record.owner, prefix: record.displayPrefix,
            state: record.state.rawValue, created: ConsoleFormat.time(record.createdAt), lastUsed: ConsoleFormat.time(record.lastUsedAt),
            expires: record.expiresAt.map(ConsoleFormat.time) ?? "never", scopes: Self.scopes(record), limits: Self.limits(record),
            concurrency: record.maxConcurrent.map { "at most \($0) at once" } ?? "no limit",
            refill: record.refill.map { "to \($0.amount) credits each \($0.period.rawValue)" } ?? "none", tier: tierText(record),
            balance: "\(details.balance)", held: details.held.flatMap { $0.millis > 0 ? "\($0)" : nil },
            enabled: record.state == .active, unlimited: record.unlimitedCredits,
            revoked: record.state == .revoked, secret: secret, creditAction: Self.keyPath(record.id) + "/credits",
            ledger: (details.ledger ?? []).map { entry in
                LedgerRow(time: ConsoleFormat.time(entry.createdAt), kind: entry.kind.rawValue, amount: ConsoleFormat.credits(entry.amount, signed: true),
                          endpoint: entry.endpoint ?? "", actor: Self.actor(of: entry), note: entry.note ?? "", negative: entry.amount.millis < 0)
            },
            ledgerLimit: Self.ledgerLines,
            usage: usage.days.sorted { ($0.day, $0.endpoint) > ($1.day, $1.endpoint) }.map { day in
                UsageRow(day: day.day, endpoint: day.endpoint, requests: "\(day.requests)", errors: "\(day.requests - day.successes)",
                         credits: "\(day.credits)", latency: ConsoleFormat.seconds(day.meanLatencySeconds))
            },
            hasUsage: !usage.days.isEmpty, usageDays: Self.keyUsageDays,
            requestsChart: daily.chart(days: days, title: "Requests per day of key \(record.name)", value: { Double($0.requests) })
                .render(id: "key-requests"),
            creditsChart: daily.chart(days: days, title: "Credits charged per day to key \(record.name)", integral: false, value: { $0.credits.value })
                .render(id: "key-credits"),
            limitsForm: KeyLimitsForm(record: record, known: knownEndpoints, tiers: acceptedTiers))
        return try render("key", title: "Key \(record.name)", section: .keys, session: session, body: body, flash: flash)
    }

    /// Who made a ledger line: its recorded actor, else the node for the lines it makes itself
    /// ("—" for operator lines without one: initial credits, lines from before actors).
    static func actor(of entry: LedgerEntry) -> String {
        if let actor = entry.actor { return actor }
        switch entry.kind {
        case .grant, .refund, .adjustment: return "—"
        case .charge, .reservation, .commit, .release, .autoRefill: return "node"
        }
    }

    // MARK: - Forms

    /// `KeyCreation` from the create form.
    static func creation(_ form: ConsoleForm) throws -> KeyCreation {
        guard let name = form.value("name") else {
            throw APIError(.badRequest, code: "invalid_value", message: "A key needs a name.", field: "name")
        }
        let days = try form.number("expires_in_days")
        let maxConcurrent = try form.integer("max_concurrent")
        return KeyCreation(name: name, owner: form.value("owner"), credits: try form.number("credits"),
                           unlimited: form.value("unlimited") != nil, rateLimits: rateLimits(form), scopes: form.values("scopes"),
                           expiresInSeconds: days.flatMap { $0 > 0 ? $0 * 86_400 : nil },
                           maxConcurrent: maxConcurrent.flatMap { $0 > 0 ? $0 : nil }, refill: try refill(form),
                           tier: form.value("tier").map(KeyTier.init(rawValue:)))
    }

    /// `KeyChanges` from a key's settings form: every field is sent, so every field is set
    /// (an empty expiry keeps the current one).
    static func changes(_ form: ConsoleForm) throws -> KeyChanges {
        guard let name = form.value("name") else {
            throw APIError(.badRequest, code: "invalid_value", message: "A key needs a name.", field: "name")
        }
        let days = try form.number("expires_in_days")
        if let days, days < 0 {
            throw APIError(.badRequest, code: "invalid_value", message: "expires_in_days must not be negative.", field: "expires_in_days")
        }
        return KeyChanges(name: name, owner: form.value("owner") ?? "", scopes: form.values("scopes"), rateLimits: rateLimits(form),
                          enabled: form.value("enabled") != nil, maxConcurrent: try form.integer("max_concurrent") ?? 0,
                          unlimited: form.value("unlimited") != nil, expiresInSeconds: days.map { $0 * 86_400 },
                          refill: try refill(form) ?? CreditRefill(amount: .zero, period: .day),
                          tier: form.value("tier").map(KeyTier.init(rawValue:)))
    }

    /// "10/s, 1000/day" → ["10/s", "1000/day"].
    static func rateLimits(_ form: ConsoleForm) -> [String] {
        (form.value("rate_limits") ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
    }

    /// The refill fields; nil when the amount is empty or zero.
    static func refill(_ form: ConsoleForm) throws -> CreditRefill? {
        guard let amount = try form.number("refill_amount"), amount != 0 else { return nil }
        guard let period = CreditRefill.Period(rawValue: form.value("refill_period") ?? "day"), let credits = Credits(amount), credits.millis > 0 else {
            throw APIError(.badRequest, code: "invalid_value", message: "A refill needs a positive amount and a period (day or month).", field: "refill_amount")
        }
        return CreditRefill(amount: credits, period: period)
    }
}
