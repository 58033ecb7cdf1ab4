package import GRDB
import Foundation

/// The node's embedded SQLite database (WAL mode), with versioned migrations.
///
/// Every part of the node that stores data shares this one pool; each registers its own
/// migrations in ``NodeMigrations``.
public final class SQLiteDatabase: Sendable {
    package let pool: DatabasePool
    public let path: String
    /// Credits held by paid requests in flight, for every key store on this database.
    let holds = CreditHolds()

    /// Opens (creating if needed) the database at `path` and migrates it to the latest version.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A WAL that a burst grew is cut back to this size when it restarts.
            try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        try NodeMigrations.migrator.migrate(pool)
    }

    /// Bytes the `-wal` file keeps when the WAL restarts after a checkpoint.
    static let walSizeLimit = 64 << 20

    /// Checkpoints the WAL and closes every connection.
    public func close() throws {
        pool.writeWithoutTransaction { db in
            _ = try? db.checkpoint(.truncate)
        }
        try pool.close()
    }
}

/// The schema, as an ordered list of named migrations. Never edit a shipped migration; add one,
/// and its PostgreSQL twin in ``PostgresMigrations`` (a conformance test compares the schemas).
enum NodeMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-score-rounds") { db in
            try db.execute(sql: """
                CREATE TABLE rounds (
                    id TEXT PRIMARY KEY NOT NULL,
                    endpoint TEXT NOT NULL,
                    is_organic INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    verdict TEXT NOT NULL
                ) STRICT;
                CREATE INDEX rounds_created_at ON rounds(created_at);
                CREATE TABLE round_results (
                    round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
                    uid INTEGER NOT NULL,
                    hotkey TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    score REAL,
                    reason TEXT,
                    latency_seconds REAL NOT NULL
                ) STRICT;
                CREATE INDEX round_results_round ON round_results(round_id);
                CREATE INDEX round_results_hotkey ON round_results(hotkey);
                """)
        }
        migrator.registerMigration("v2-score-periods-and-weights") { db in
            try db.execute(sql: """
                CREATE TABLE score_periods (
                    hotkey TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    period INTEGER NOT NULL,
                    period_seconds REAL NOT NULL,
                    uid INTEGER NOT NULL,
                    score_sum REAL NOT NULL,
                    rounds INTEGER NOT NULL,
                    PRIMARY KEY (hotkey, endpoint, period)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX score_periods_period ON score_periods(period);
                CREATE TABLE weight_submissions (
                    id TEXT PRIMARY KEY NOT NULL,
                    created_at REAL NOT NULL,
                    netuid INTEGER,
                    uids TEXT NOT NULL,
                    weights TEXT NOT NULL
                ) STRICT;
                CREATE INDEX weight_submissions_created_at ON weight_submissions(created_at);
                """)
        }
        migrator.registerMigration("v2-api-keys", migrate: KeyMigrations.v2APIKeys)
        migrator.registerMigration("v3-streaming-and-usage-units") { db in
            try db.execute(sql: """
                ALTER TABLE round_results ADD COLUMN time_to_first_chunk_seconds REAL;
                CREATE TABLE usage_units (
                    usage_id INTEGER NOT NULL REFERENCES usage_log(id) ON DELETE CASCADE,
                    unit TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    PRIMARY KEY (usage_id, unit)
                ) STRICT;
                """)
        }
        migrator.registerMigration("v4-round-tie-breaks") { db in
            // A round's tie-break (referees and agreeing group, as JSON) and each miner's role.
            try db.execute(sql: """
                ALTER TABLE rounds ADD COLUMN tie_break TEXT;
                ALTER TABLE round_results ADD COLUMN role TEXT;
                """)
        }
        migrator.registerMigration("v5-payments-and-ledger-actors", migrate: KeyMigrations.v5PaymentsAndLedgerActors)
        migrator.registerMigration("v6-usage-daily", migrate: SQLiteRetention.migrate)
        migrator.registerMigration("v7-charge-lines", migrate: KeyMigrations.v7ChargeLines)
        return migrator
    }
}
