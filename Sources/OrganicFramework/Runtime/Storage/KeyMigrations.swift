import GRDB

/// Schema of keys, the credit ledger and the usage log (registered in ``NodeMigrations``).
enum KeyMigrations {
    static func v2APIKeys(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY NOT NULL,
                key_hash BLOB NOT NULL UNIQUE,
                display_prefix TEXT NOT NULL,
                name TEXT NOT NULL,
                owner TEXT NOT NULL,
                created_at REAL NOT NULL,
                last_used_at REAL,
                expires_at REAL,
                state TEXT NOT NULL,
                scopes TEXT NOT NULL,
                rate_limits TEXT NOT NULL,
                max_concurrent INTEGER,
                unlimited INTEGER NOT NULL,
                refill_amount INTEGER,
                refill_period TEXT,
                refilled_at REAL,
                metadata TEXT NOT NULL,
                balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0)
            ) STRICT;
            CREATE TABLE credit_ledger (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                key_id TEXT NOT NULL REFERENCES api_keys(id),
                kind TEXT NOT NULL CHECK (kind IN ('grant', 'refund', 'adjustment', 'reservation', 'commit', 'release', 'auto_refill')),
                amount INTEGER NOT NULL,
                reservation_id INTEGER,
                endpoint TEXT,
                note TEXT,
                created_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX credit_ledger_key ON credit_ledger(key_id, id);
            CREATE UNIQUE INDEX credit_ledger_settled_once ON credit_ledger(reservation_id) WHERE reservation_id IS NOT NULL;
            CREATE TABLE open_reservations (
                reservation_id INTEGER PRIMARY KEY NOT NULL,
                key_id TEXT NOT NULL,
                amount INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE usage_log (
                id INTEGER PRIMARY KEY,
                key_id TEXT NOT NULL,
                endpoint TEXT NOT NULL,
                status INTEGER NOT NULL,
                credits INTEGER NOT NULL,
                latency_seconds REAL NOT NULL,
                created_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX usage_log_key_time ON usage_log(key_id, created_at);
            """)
    }

    /// Who made each ledger line (old lines read nil), and payments from providers: one row per
    /// (provider, event id), at most one credited row per (provider, reference).
    static func v5PaymentsAndLedgerActors(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE credit_ledger ADD COLUMN actor TEXT;
            CREATE TABLE payments (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                provider TEXT NOT NULL,
                event_id TEXT NOT NULL,
                key_id TEXT NOT NULL,
                credits INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('credited', 'refused')),
                refusal TEXT,
                ledger_entry_id INTEGER,
                reference TEXT,
                amount_paid INTEGER,
                currency TEXT,
                received_at REAL NOT NULL,
                UNIQUE (provider, event_id)
            ) STRICT;
            CREATE UNIQUE INDEX payments_credited_once ON payments(provider, reference) WHERE state = 'credited' AND reference IS NOT NULL;
            """)
    }

    /// Ledger lines of kind `charge` (one per charged request, holds kept in memory). SQLite
    /// cannot alter a CHECK constraint, so the table is rebuilt with its lines, ids and indexes.
    static func v7ChargeLines(_ db: Database) throws {
        let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'credit_ledger'")
        try db.execute(sql: """
            CREATE TABLE credit_ledger_v7 (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                key_id TEXT NOT NULL REFERENCES api_keys(id),
                kind TEXT NOT NULL CHECK (kind IN ('grant', 'refund', 'adjustment', 'charge', 'reservation', 'commit', 'release', 'auto_refill')),
                amount INTEGER NOT NULL,
                reservation_id INTEGER,
                endpoint TEXT,
                note TEXT,
                created_at REAL NOT NULL,
                actor TEXT
            ) STRICT;
            INSERT INTO credit_ledger_v7 (id, key_id, kind, amount, reservation_id, endpoint, note, created_at, actor)
                SELECT id, key_id, kind, amount, reservation_id, endpoint, note, created_at, actor FROM credit_ledger;
            DROP TABLE credit_ledger;
            ALTER TABLE credit_ledger_v7 RENAME TO credit_ledger;
            CREATE INDEX credit_ledger_key ON credit_ledger(key_id, id);
            CREATE UNIQUE INDEX credit_ledger_settled_once ON credit_ledger(reservation_id) WHERE reservation_id IS NOT NULL;
            """)
        // Ids are never reused, even those of lines no longer stored.
        if let sequence {
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'credit_ledger'", arguments: [sequence])
        }
    }
}
