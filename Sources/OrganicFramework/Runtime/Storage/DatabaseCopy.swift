import Foundation
import GRDB
package import Logging
import PostgresNIO

/// `organic db copy`: moves a single node's SQLite database into an empty PostgreSQL database,
/// in one transaction: keys, the credit ledger, payments, usage (live and folded), score
/// periods, weight history and, on request, rounds with their results.
///
/// The source's open reservations are released first (as the node would at its next start),
/// so no credit stays held. Before committing, every key's balance in the target must equal
/// both its ledger sum there and its balance in the source, and every table must have as many
/// rows as in the source; otherwise nothing is written.
package enum DatabaseCopy {
    package struct Report: Codable, Sendable {
        /// Rows copied, per table.
        package var tables: [String: Int] = [:]
        package var keys = 0
        /// Reservations the source held open, released before copying.
        package var releasedReservations = 0
        /// The sum of every key's balance, in thousandths of a credit (the same in both databases).
        package var totalBalanceMillis: Int64 = 0
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }

    /// In an order that satisfies the references between them.
    static let tables = ["api_keys", "credit_ledger", "payments", "usage_log", "usage_units", "usage_daily", "usage_daily_units",
                         "score_periods", "weight_submissions"]
    static let roundTables = ["rounds", "round_results"]
    /// Tables whose `id` PostgreSQL generates: copied with their ids, then the generator moves past them.
    static let generatedIDs: Set<String> = ["credit_ledger", "payments", "usage_log"]

    /// One SQLite value, carried across to PostgreSQL.
    enum Cell: Sendable {
        case null, integer(Int64), real(Double), text(String), blob(Data)
    }

    /// Copies `path` into the database at `url`; `nodeName` is the name (`database.nodeName`)
    /// under which the node will find its score periods.
    package static func copy(fromSQLite path: String, toPostgres url: String, nodeName: String, includeRounds: Bool,
                             logger: Logger) async throws -> Report {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure("no SQLite database at \(path)") }
        let source = try SQLiteDatabase(path: path)
        defer { try? source.close() }
        var report = Report()
        report.releasedReservations = try await SQLiteKeyStore(database: source).releaseOpenReservations(now: Date())
        let target = try await PostgresStorage.open(url: url, maxConnections: 2, logger: logger)
        do {
            let copied = tables + (includeRounds ? roundTables : [])
            for table in tables + roundTables {
                if try await target.rows(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1")).first != nil {
                    throw Failure("the target database already holds data (table \(table)); copy only into an empty database")
                }
            }
            report = try await target.transaction { connection in
                var report = report
                for table in copied {
                    report.tables[table] = try await copy(table, from: source, to: connection, nodeName: nodeName, logger: logger)
                }
                for table in generatedIDs {
                    try await connection.query(PostgresQuery(unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table)', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM \(table)), false)
                        """), logger: logger)
                }
                (report.keys, report.totalBalanceMillis) = try await verify(source: source, target: connection, tables: report.tables, logger: logger)
                return report
            }
        } catch {
            await target.close()
            throw error
        }
        await target.close()
        return report
    }

    /// Copies one table's rows (in batches of ``batchRows``); returns how many.
    static func copy(_ table: String, from source: SQLiteDatabase, to connection: PostgresConnection, nodeName: String,
                     logger: Logger) async throws -> Int {
        let types = try await connection.rows(PostgresQuery(unsafeSQL: """
            SELECT column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = '\(table)' ORDER BY ordinal_position
            """), logger: logger).map { try $0.decode((String, String).self) }
        let (sourceColumns, hasRowID) = try await source.pool.read { db in
            (Set(try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table])),
             try Bool.fetchOne(db, sql: "SELECT sql NOT LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?", arguments: [table]) ?? true)
        }
        // PostgreSQL-only columns: a result's position within its round, and the node of a score period.
        var selected: [String] = []
        var columns: [(name: String, type: String)] = []
        for (name, type) in types {
            if sourceColumns.contains(name) {
                selected.append("\"\(name)\"")
            } else if table == "round_results" && name == "position" {
                selected.append("ROW_NUMBER() OVER (PARTITION BY round_id ORDER BY rowid) - 1")
            } else if table == "score_periods" && name == "node" {
                selected.append("?")
            } else {
                continue
            }
            columns.append((name, type))
        }
        // Insertion order where there is one (a round's results keep theirs).
        let sql = "SELECT \(selected.joined(separator: ", ")) FROM \(table)" + (hasRowID ? " ORDER BY rowid" : "")
        let rows: [[Cell]] = try await source.pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: table == "score_periods" ? [nodeName] : []).map { row in
                row.databaseValues.map { value in
                    switch value.storage {
                    case .null: .null
                    case .int64(let v): .integer(v)
                    case .double(let v): .real(v)
                    case .string(let v): .text(v)
                    case .blob(let v): .blob(v)
                    }
                }
            }
        }
        let overriding = generatedIDs.contains(table) ? " OVERRIDING SYSTEM VALUE" : ""
        let names = columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + batchRows, rows.count)]
            var binds = PostgresBindings(capacity: batch.count * columns.count)
            var tuples: [String] = []
            for row in batch {
                var placeholders: [String] = []
                for (cell, column) in zip(row, columns) {
                    try bind(cell, as: column.type, into: &binds, table: table, column: column.name)
                    placeholders.append("$\(binds.count)::\(column.type)")
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(names))\(overriding) VALUES \(tuples.joined(separator: ", "))",
                                                     binds: binds), logger: logger)
            start += batch.count
        }
        return rows.count
    }

    static let batchRows = 200

    static func bind(_ cell: Cell, as type: String, into binds: inout PostgresBindings, table: String, column: String) throws {
        switch (cell, type) {
        case (.null, _): binds.appendNull()
        case (.integer(let v), "boolean"): binds.append(v != 0)
        case (.integer(let v), "bigint"), (.integer(let v), "integer"), (.integer(let v), "smallint"): binds.append(v)
        case (.integer(let v), "double precision"): binds.append(Double(v))
        case (.real(let v), "double precision"): binds.append(v)
        case (.text(let v), "text"): binds.append(v)
        case (.blob(let v), "bytea"): try binds.append(v, context: .default)
        default: throw Failure("\(table).\(column): a \(cell) cannot go into a \(type) column")
        }
    }

    /// Every key's balance equals its ledger sum in the target and its balance in the source;
    /// every copied table has the source's row count. Returns the keys and their total balance.
    static func verify(source: SQLiteDatabase, target: PostgresConnection, tables: [String: Int], logger: Logger) async throws -> (Int, Int64) {
        let expected = try await source.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, balance FROM api_keys").map { ($0["id"] as String, $0["balance"] as Int64) }
        }
        let copied = try await target.rows("""
            SELECT k.id, k.balance, COALESCE((SELECT SUM(amount) FROM credit_ledger l WHERE l.key_id = k.id), 0)::bigint FROM api_keys k
            """, logger: logger).map { try $0.decode((String, Int64, Int64).self) }
        let byID = Dictionary(uniqueKeysWithValues: copied.map { ($0.0, (balance: $0.1, ledger: $0.2)) })
        guard copied.count == expected.count else { throw Failure("\(copied.count) keys copied, \(expected.count) in the source") }
        for (id, balance) in expected {
            guard let target = byID[id], target.balance == balance, target.ledger == balance else {
                throw Failure("key \(id): balance \(balance) in the source, \(byID[id].map { "\($0.balance) (ledger \($0.ledger))" } ?? "missing") in the target")
            }
        }
        for (table, count) in tables {
            let rows = try await target.rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*)::bigint FROM \(table)"), logger: logger)
            guard let found = try rows.first?.decode(Int64.self), found == Int64(count) else {
                throw Failure("table \(table): \(count) rows in the source, a different count in the target")
            }
        }
        return (expected.count, expected.map(\.1).reduce(0, +))
    }
}
