import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import OrganicFramework

/// `organic keys …`: API keys, credits and usage. Goes through a running node's admin API (so
/// its caches change at once); with no node running, works on the database file directly.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list, revoke and rotate API keys; add credits; show usage and payments.",
        discussion: """
            With a node running (its admin API answers), changes go through the admin API and need the admin
            token (--admin-token or ORGANIC_ADMIN_TOKEN). Otherwise they are made on the SQLite file directly.
            """,
        subcommands: [Create.self, List.self, Show.self, Tier.self, Revoke.self, Rotate.self, Credit.self, Usage.self, Payments.self])

    struct Common: ParsableArguments {
        @Option(help: "YAML configuration file (for the admin address, token and database path).") var config: String?
        @Option(help: "Admin API base URL of a running node; given, the CLI always goes through it (default: probe the configured admin address).")
        var adminURL: String?
        @Option(help: "Admin token (default: admin.token / ORGANIC_ADMIN_TOKEN).") var adminToken: String?
        @Option(help: "SQLite database, used when no node is running (default: database.path).") var database: String?
        @Flag(help: "Never use the admin API; work on the database file (refused while a node serves it).") var offline = false
        @Flag(help: "Print JSON for scripts.") var json = false

        func backend() async throws -> KeysBackend {
            let path = config ?? ProcessInfo.processInfo.environment["ORGANIC_CONFIG"]
            let loaded: NodeConfiguration
            do { loaded = try ConfigurationLoader().load(path: path) } catch { throw CLIError("\(error)") }
            let host = loaded.admin.host == "0.0.0.0" ? "127.0.0.1" : loaded.admin.host
            let url = (adminURL ?? "http://\(host):\(loaded.admin.port)").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            // An explicit --admin-url means "go through that node": never fall back to a file.
            let throughAPI = offline ? false : adminURL != nil ? true : await KeysBackend.nodeAnswers(at: url)
            if throughAPI {
                let token = adminToken ?? loaded.admin.token
                guard !token.isEmpty else {
                    throw CLIError("a node is running at \(url); pass --admin-token or set ORGANIC_ADMIN_TOKEN to manage its keys")
                }
                return .api(url: url, token: token)
            }
            let file = database ?? loaded.database.path
            // A node serving the file holds credits in its memory: only its admin API may move them.
            guard !SQLiteServingLock.isHeld(databasePath: file) else {
                throw CLIError("a node is serving \(file), but its admin API did not answer at \(url); pass --admin-url with that "
                               + "node's admin address (changing the file beside a running node could spend credits it holds)")
            }
            do {
                return .database(KeyManager(store: SQLiteKeyStore(database: try SQLiteDatabase(path: file)),
                                            tiers: KeyTier.accepted(in: loaded.dispatch.queues.tierWeights)))
            } catch {
                throw CLIError("cannot open the database \(file): \(error)")
            }
        }

        func output<T: Decodable>(_ data: Data, as type: T.Type, render: (T) -> String) throws {
            if json {
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(render(try KeysBackend.decoder.decode(T.self, from: data)))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; its secret is printed once.")
        @OptionGroup var common: Common
        @Option(help: "Name of the key.") var name: String
        @Option(help: "Owner (free text or an external id).") var owner: String?
        @Option(help: "Initial credits.") var credits: Double?
        @Flag(help: "Never charge this key.") var unlimited = false
        @Option(help: "Rate limits, comma-separated or repeated: 10/s, 1000/day, text-embeddings:5/s.") var rate: [String] = []
        @Option(help: "Endpoints the key may call, comma-separated (default: all).") var scopes: String?
        @Option(help: "Lifetime, such as 30d, 12h, 90m.") var expires: String?
        @Option(help: "Most requests in flight at once.") var maxConcurrent: Int?
        @Option(help: "Automatic refill, such as 1000/day or 20000/month (tops the balance up to that level).") var refill: String?
        @Option(help: "Tier: one named in dispatch.queues.tierWeights, or standard (the default).") var tier: String?

        func run() async throws {
            var creation = KeyCreation(name: name, owner: owner, credits: credits, unlimited: unlimited ? true : nil,
                                       rateLimits: rate.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } },
                                       scopes: scopes.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } },
                                       maxConcurrent: maxConcurrent, tier: tier.map(KeyTier.init(rawValue:)))
            if let expires {
                guard let seconds = Self.duration(expires) else { throw ValidationError("--expires must look like 30d, 12h, 90m or 3600s") }
                creation.expiresInSeconds = seconds
            }
            if let refill {
                let parts = refill.split(separator: "/")
                guard parts.count == 2, let amount = Double(parts[0]), let credits = Credits(amount), amount > 0,
                      let period = CreditRefill.Period(rawValue: String(parts[1])) else {
                    throw ValidationError("--refill must look like 1000/day or 20000/month")
                }
                creation.refill = CreditRefill(amount: credits, period: period)
            }
            let data = try await common.backend().create(creation)
            try common.output(data, as: CreatedKey.self) { created in
                """
                Created key \(created.record.id) (\(created.record.name)).
                \(created.key)
                This is the only time the key is shown: store it now. Only its hash is kept.
                balance: \(created.balance) credits\(created.record.unlimitedCredits ? " (unlimited)" : "")
                """
            }
        }

        static func duration(_ text: String) -> Double? {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
            guard let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()), value > 0, value.isFinite else { return nil }
            return value * scale
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var common: Common

        func run() async throws {
            let data = try await common.backend().list()
            try common.output(data, as: KeyListing.self) { listing in
                var lines = [KeyTable.header]
                lines += listing.keys.map(KeyTable.row)
                if listing.keys.isEmpty { lines.append("(no keys; create one with `organic keys create --name NAME --credits 100`)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one key with its recent ledger.")
        @OptionGroup var common: Common
        @Argument(help: "Key id (key_…).") var id: String

        func run() async throws {
            let data = try await common.backend().show(id: id)
            try common.output(data, as: KeyDetails.self, render: KeyTable.details)
        }
    }

    struct Tier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a key's tier (its weight in the fair queue, dispatch.queues.tierWeights).")
        @OptionGroup var common: Common
        @Argument(help: "Key id.") var id: String
        @Argument(help: "A tier named in dispatch.queues.tierWeights, or standard.") var tier: String

        func run() async throws {
            let data = try await common.backend().update(id: id, changes: KeyChanges(tier: KeyTier(rawValue: tier)))
            try common.output(data, as: KeyDetails.self) { "Key \($0.record.id) is now in tier \($0.record.tier ?? .standard)." }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; it stops working at once.")
        @OptionGroup var common: Common
        @Argument(help: "Key id.") var id: String

        func run() async throws {
            let data = try await common.backend().revoke(id: id)
            try common.output(data, as: KeyDetails.self) { "Revoked \($0.record.id) (\($0.record.name))." }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a key a new secret (same settings and balance); the old one stops working.")
        @OptionGroup var common: Common
        @Argument(help: "Key id.") var id: String

        func run() async throws {
            let data = try await common.backend().rotate(id: id)
            try common.output(data, as: CreatedKey.self) { created in
                "Rotated \(created.record.id). New key (shown once):\n\(created.key)"
            }
        }
    }

    struct Credit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add credits to a key (a ledger entry); negative amounts take credits off.")
        @OptionGroup var common: Common
        @Argument(help: "Key id.") var id: String
        @Argument(help: "Credits to add (negative to remove).") var amount: Double
        @Option(help: "Why (kept in the ledger).") var note: String?
        @Flag(help: "Record it as a refund.") var refund = false

        func run() async throws {
            let change = CreditChange(amount: amount, note: note, refund: refund ? true : nil, actor: .cli)
            let data = try await common.backend().credit(id: id, change: change)
            try common.output(data, as: CreditResult.self) { result in
                "\(result.entry.kind.rawValue) of \(result.entry.amount) credits on \(id); balance now \(result.balance)."
            }
        }
    }

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requests, successes and credits of a key per day and endpoint.")
        @OptionGroup var common: Common
        @Argument(help: "Key id.") var id: String
        @Option(help: "Days back, today included.") var days = 30

        func run() async throws {
            guard (1...3660).contains(days) else { throw ValidationError("--days must be 1...3660") }
            let data = try await common.backend().usage(id: id, days: days)
            try common.output(data, as: UsageReport.self) { report in
                var lines = [String(format: "%-10@ %-22@ %9@ %9@ %10@ %9@", "DAY", "ENDPOINT", "REQUESTS", "SUCCESSES", "CREDITS", "LATENCY")]
                for day in report.days {
                    lines.append(String(format: "%-10@ %-22@ %9d %9d %10@ %8.3fs", day.day, String(day.endpoint.prefix(22)), day.requests,
                                        day.successes, day.credits.description, day.meanLatencySeconds))
                }
                if report.days.isEmpty { lines.append("(no requests in the last \(days) days)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Payments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Payments from providers (Stripe) and what became of them, newest first.")
        @OptionGroup var common: Common
        @Option(help: "How many.") var limit = 50

        func run() async throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1...10000") }
            let data = try await common.backend().payments(limit: limit)
            try common.output(data, as: PaymentListing.self) { listing in
                let formatter = ISO8601DateFormatter()
                var lines = [String(format: "%-20@ %-8@ %-30@ %-22@ %10@ %-24@ %@", "RECEIVED", "PROVIDER", "EVENT", "KEY", "CREDITS", "STATE", "LEDGER")]
                for p in listing.payments {
                    let state = p.refusal.map { "refused: \($0.rawValue)" } ?? p.state.rawValue
                    lines.append(String(format: "%-20@ %-8@ %-30@ %-22@ %10@ %-24@ %@", formatter.string(from: p.receivedAt), p.provider.rawValue,
                                        String(p.eventID.prefix(30)), String(p.keyID.prefix(22)), p.credits.description, state,
                                        p.ledgerEntryID.map(String.init) ?? "-"))
                }
                if listing.payments.isEmpty { lines.append("(no payments)") }
                return lines.joined(separator: "\n")
            }
        }
    }
}

/// A failure with a message for the operator (exit status 1).
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Human-readable key listings.
enum KeyTable {
    static let header = String(format: "%-22@ %-20@ %-16@ %-8@ %12@ %-20@ %@", "ID", "NAME", "PREFIX", "STATE", "BALANCE", "LIMITS", "LAST USED")

    static func row(_ key: KeyDetails) -> String {
        let r = key.record
        let balance = r.unlimitedCredits ? "unlimited" : key.balance.description
        let limits = r.rateLimits.isEmpty ? "-" : r.rateLimits.map(\.description).joined(separator: ",")
        let used = r.lastUsedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never"
        return String(format: "%-22@ %-20@ %-16@ %-8@ %12@ %-20@ %@", r.id, String(r.name.prefix(20)), r.displayPrefix, r.state.rawValue,
                      balance, limits, used)
    }

    static func details(_ key: KeyDetails) -> String {
        let r = key.record
        let formatter = ISO8601DateFormatter()
        var lines = [
            "id:          \(r.id)", "name:        \(r.name)", "owner:       \(r.owner.isEmpty ? "-" : r.owner)",
            "prefix:      \(r.displayPrefix)", "state:       \(r.state.rawValue)",
            "created:     \(formatter.string(from: r.createdAt))",
            "last used:   \(r.lastUsedAt.map(formatter.string(from:)) ?? "never")",
            "expires:     \(r.expiresAt.map(formatter.string(from:)) ?? "never")",
            "scopes:      \(r.scopes.isEmpty ? "all endpoints" : r.scopes.joined(separator: ", "))",
            "rate limits: \(r.rateLimits.isEmpty ? "none" : r.rateLimits.map(\.description).joined(separator: ", "))",
            "concurrent:  \(r.maxConcurrent.map(String.init) ?? "no limit")",
            "tier:        \(r.tier ?? .standard)",
            "balance:     \(r.unlimitedCredits ? "unlimited" : key.balance.description)"
                + (key.held.flatMap { $0.millis > 0 ? " (\($0) held by requests in flight)" : nil } ?? ""),
            "refill:      \(r.refill.map { "to \($0.amount) every \($0.period.rawValue)" } ?? "none")",
        ]
        if let ledger = key.ledger, !ledger.isEmpty {
            lines.append("ledger (most recent first):")
            for entry in ledger {
                lines.append(String(format: "  %8lld  %@  %-12@ %10@  %@", entry.id, formatter.string(from: entry.createdAt), entry.kind.rawValue,
                                    entry.amount.description, (entry.actor.map { "[\($0)] " } ?? "") + (entry.note ?? entry.endpoint ?? "")))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// The JSON error shape of the node's APIs.
struct ErrorEnvelope: Decodable {
    struct Detail: Decodable { var message: String }
    var error: Detail
}

/// Where the CLI's key operations go: a running node's admin API, or the database file.
enum KeysBackend {
    case api(url: String, token: String)
    case database(KeyManager)

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Whether a node's admin API answers at `url` (one quick probe).
    static func nodeAnswers(at url: String) async -> Bool {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var answers = false
        if let response = try? await client.execute(HTTPClientRequest(url: url + "/admin/healthz"), timeout: .seconds(5)) {
            _ = try? await response.body.collect(upTo: 1 << 16)
            answers = response.status.code == 200
        }
        try? await client.shutdown()
        return answers
    }

    func create(_ creation: KeyCreation) async throws -> Data {
        try await perform("POST", "", body: creation) { try await $0.create(creation) }
    }

    func list() async throws -> Data {
        try await perform("GET", "", body: Optional<KeyCreation>.none) { try await $0.list() }
    }

    func show(id: String) async throws -> Data {
        try await perform("GET", "/\(Self.escape(id))", body: Optional<KeyCreation>.none) { try await $0.show(id: id) }
    }

    func update(id: String, changes: KeyChanges) async throws -> Data {
        try await perform("PATCH", "/\(Self.escape(id))", body: changes) { try await $0.update(id: id, changes) }
    }

    func revoke(id: String) async throws -> Data {
        try await perform("POST", "/\(Self.escape(id))/revoke", body: Optional<KeyCreation>.none) { try await $0.revoke(id: id) }
    }

    func rotate(id: String) async throws -> Data {
        try await perform("POST", "/\(Self.escape(id))/rotate", body: Optional<KeyCreation>.none) { try await $0.rotate(id: id) }
    }

    func credit(id: String, change: CreditChange) async throws -> Data {
        try await perform("POST", "/\(Self.escape(id))/credits", body: change) {
            try await $0.credit(id: id, amount: change.amount, note: change.note, refund: change.refund ?? false, actor: change.actor?.rawValue)
        }
    }

    func payments(limit: Int) async throws -> Data {
        try await perform("GET", "?limit=\(limit)", under: "/admin/payments", body: Optional<KeyCreation>.none) { try await $0.payments(limit: limit) }
    }

    func usage(id: String, days: Int) async throws -> Data {
        try await perform("GET", "/\(Self.escape(id))/usage?days=\(days)", body: Optional<KeyCreation>.none) { try await $0.usage(id: id, days: days) }
    }

    static func escape(_ id: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    private func perform<Body: Encodable, Result: Encodable>(_ method: String, _ path: String, under base: String = "/admin/keys", body: Body?,
                                                             offline: (KeyManager) async throws -> Result) async throws -> Data {
        switch self {
        case .database(let manager):
            do {
                let result = try await offline(manager)
                try? await manager.store.close()
                return try Self.encoder.encode(result)
            } catch let error as APIError {
                try? await manager.store.close()
                throw CLIError(error.message)
            }
        case .api(let url, let token):
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            var request = HTTPClientRequest(url: url + base + path)
            request.method = method == "GET" ? .GET : method == "PATCH" ? .PATCH : .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
            }
            let response: HTTPClientResponse
            let buffer: ByteBuffer
            do {
                response = try await client.execute(request, timeout: .seconds(30))
                buffer = try await response.body.collect(upTo: 64 << 20)
                try? await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw CLIError("cannot reach the node's admin API at \(url): \(error)")
            }
            let data = Data(buffer.readableBytesView)
            guard (200..<300).contains(response.status.code) else {
                let message = (try? JSONDecoder().decode(ErrorEnvelope.self, from: data))?.error.message ?? String(decoding: data, as: UTF8.self)
                throw CLIError("admin API answered \(response.status.code): \(message)")
            }
            return data
        }
    }
}
