import ArgumentParser
import Foundation
import Logging
import OrganicFramework

/// `organic db`: the node's database schema, and moving a single node from SQLite to PostgreSQL.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Migrate, inspect or copy the node's database.",
        subcommands: [Migrate.self, Status.self, Copy.self])

    /// Which database: the configuration's `database:` settings (SQLite at `database.path`, or
    /// PostgreSQL at `database.url`), or the ones given here.
    struct Target: ParsableArguments {
        @Option(help: "YAML configuration file (defaults to $ORGANIC_CONFIG, else built-in defaults).") var config: String?
        @Option(help: "PostgreSQL URL (postgres://user:password@host:port/database); overrides database.url.") var url: String?
        @Option(help: "SQLite file; overrides database.path (used when no URL is set).") var path: String?

        func database() throws -> NodeConfiguration.Database {
            var database: NodeConfiguration.Database
            do {
                database = try ConfigurationLoader().load(path: config ?? ProcessInfo.processInfo.environment["ORGANIC_CONFIG"]).database
            } catch {
                throw ValidationError("\(error)")
            }
            if let url { database.url = url }
            if let path {
                database.path = path
                if url == nil { database.url = nil }
            }
            return database
        }
    }

    static func show(_ status: DatabaseAdmin.Status, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            emit(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        emit("backend:  \(status.backend)")
        emit("database: \(status.location)")
        emit("version:  \(status.version ?? "(empty)")")
        emit("pending:  \(status.pending.isEmpty ? "none" : status.pending.joined(separator: ", "))")
    }

    static let logger = makeLogger(label: "organic-db", level: .error)

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply every pending migration (as a starting node does; safe while other instances start).")
        @OptionGroup var target: Target
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try DatabaseCommand.show(try await DatabaseAdmin.migrate(try target.database(), logger: DatabaseCommand.logger), json: json)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the backend, the schema version and the pending migrations (changes nothing).")
        @OptionGroup var target: Target
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try DatabaseCommand.show(try await DatabaseAdmin.status(try target.database(), logger: DatabaseCommand.logger), json: json)
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a stopped node's SQLite database into an empty PostgreSQL database.",
            discussion: """
                Copies keys, the credit ledger, payments, usage, score periods and weight history (rounds with --rounds) in one
                transaction, after releasing the reservations the node left open. Refuses a target that holds data. Before
                committing it checks that every key's balance equals its ledger sum and its balance in the source.
                """)
        @Option(help: "The source: sqlite:<path>.") var from: String
        @Option(help: "The target: postgres://user:password@host:port/database.") var to: String
        @Option(help: "The name (database.nodeName) of the instance that will use the copied score periods (default: <host>:<server.port>).")
        var nodeName: String?
        @Option(help: "YAML configuration file, for the default node name.") var config: String?
        @Flag(help: "Copy rounds and their results too (they can be many).") var rounds = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard from.hasPrefix("sqlite:"), from.count > "sqlite:".count else { throw ValidationError("--from must be sqlite:<path>") }
            guard to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else { throw ValidationError("--to must be a postgres:// URL") }
            let name: String
            if let nodeName, !nodeName.isEmpty {
                name = nodeName
            } else {
                let loaded = try ConfigurationLoader().load(path: config ?? ProcessInfo.processInfo.environment["ORGANIC_CONFIG"])
                name = loaded.database.nodeName.flatMap { $0.isEmpty ? nil : $0 } ?? "\(ProcessInfo.processInfo.hostName):\(loaded.server.port)"
            }
            let report: DatabaseCopy.Report
            do {
                report = try await DatabaseCopy.copy(fromSQLite: String(from.dropFirst("sqlite:".count)), toPostgres: to, nodeName: name,
                                                     includeRounds: rounds, logger: DatabaseCommand.logger)
            } catch {
                throw CLIError("copy failed, nothing was written: \(error)")
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                emit(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            for (table, count) in report.tables.sorted(by: { $0.key < $1.key }) { emit(String(format: "%-20@ %d rows", table, count)) }
            emit("\(report.keys) keys, total balance \(Double(report.totalBalanceMillis) / 1000) credits, equal to the source and to the ledger")
            if report.releasedReservations > 0 { emit("released \(report.releasedReservations) reservations the node had left open") }
            emit("score periods are kept under node name '\(name)' (set database.nodeName to it)")
        }
    }
}
