/// The PostgreSQL schema, as an ordered list of named migrations (one statement per entry:
/// the extended query protocol runs one at a time). Never edit a shipped migration; add one.
///
/// The same tables and columns as SQLite (``NodeMigrations``), with times as epoch seconds
/// (`double precision`) and credits as integer thousandths (`bigint`), so that both backends
/// behave identically. `api_keys.changed_at` marks settings and secret changes for the
/// periodic re-check of other instances' key caches; `score_periods.node` keeps each
/// instance's running sums apart (each instance's score book restores its own).
enum PostgresMigrations {
    struct Migration: Sendable {
        let name: String
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(name: "v1-scores", statements: [
            """
            CREATE TABLE rounds (
                id text PRIMARY KEY,
                endpoint text NOT NULL,
                is_organic boolean NOT NULL,
                created_at double precision NOT NULL,
                verdict text NOT NULL,
                tie_break text
            )
            """,
            "CREATE INDEX rounds_created_at ON rounds(created_at)",
            """
            CREATE TABLE round_results (
                round_id text NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
                position integer NOT NULL,
                uid integer NOT NULL,
                hotkey text NOT NULL,
                outcome text NOT NULL,
                score double precision,
                reason text,
                latency_seconds double precision NOT NULL,
                time_to_first_chunk_seconds double precision,
                role text
            )
            """,
            "CREATE INDEX round_results_round ON round_results(round_id)",
            "CREATE INDEX round_results_hotkey ON round_results(hotkey)",
            """
            CREATE TABLE score_periods (
                hotkey text NOT NULL,
                endpoint text NOT NULL,
                period bigint NOT NULL,
                period_seconds double precision NOT NULL,
                uid integer NOT NULL,
                score_sum double precision NOT NULL,
                rounds bigint NOT NULL,
                node text NOT NULL,
                PRIMARY KEY (node, hotkey, endpoint, period)
            )
            """,
            "CREATE INDEX score_periods_period ON score_periods(period)",
            """
            CREATE TABLE weight_submissions (
                id text PRIMARY KEY,
                created_at double precision NOT NULL,
                netuid integer,
                uids text NOT NULL,
                weights text NOT NULL
            )
            """,
            "CREATE INDEX weight_submissions_created_at ON weight_submissions(created_at)",
        ]),
        Migration(name: "v1-keys", statements: [
            """
            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                key_hash bytea NOT NULL UNIQUE,
                display_prefix text NOT NULL,
                name text NOT NULL,
                owner text NOT NULL,
                created_at double precision NOT NULL,
                last_used_at double precision,
                expires_at double precision,
                state text NOT NULL,
                scopes text NOT NULL,
                rate_limits text NOT NULL,
                max_concurrent bigint,
                unlimited boolean NOT NULL,
                refill_amount bigint,
                refill_period text,
                refilled_at double precision,
                metadata text NOT NULL,
                balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
                changed_at double precision NOT NULL DEFAULT extract(epoch from clock_timestamp())
            )
            """,
            "CREATE INDEX api_keys_changed_at ON api_keys(changed_at)",
            """
            CREATE TABLE credit_ledger (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                key_id text NOT NULL REFERENCES api_keys(id),
                kind text NOT NULL CHECK (kind IN ('grant', 'refund', 'adjustment', 'reservation', 'commit', 'release', 'auto_refill')),
                amount bigint NOT NULL,
                reservation_id bigint,
                endpoint text,
                note text,
                created_at double precision NOT NULL
            )
            """,
            "CREATE INDEX credit_ledger_key ON credit_ledger(key_id, id)",
            "CREATE UNIQUE INDEX credit_ledger_settled_once ON credit_ledger(reservation_id) WHERE reservation_id IS NOT NULL",
            """
            CREATE TABLE open_reservations (
                reservation_id bigint PRIMARY KEY,
                key_id text NOT NULL,
                amount bigint NOT NULL,
                owner text NOT NULL
            )
            """,
            "CREATE INDEX open_reservations_owner ON open_reservations(owner)",
            """
            CREATE TABLE organic_instances (
                id text PRIMARY KEY,
                started_at double precision NOT NULL,
                heartbeat_at double precision NOT NULL
            )
            """,
            """
            CREATE TABLE usage_log (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                key_id text NOT NULL,
                endpoint text NOT NULL,
                status integer NOT NULL,
                credits bigint NOT NULL,
                latency_seconds double precision NOT NULL,
                created_at double precision NOT NULL
            )
            """,
            "CREATE INDEX usage_log_key_time ON usage_log(key_id, created_at)",
            """
            CREATE TABLE usage_units (
                usage_id bigint NOT NULL REFERENCES usage_log(id) ON DELETE CASCADE,
                unit text NOT NULL,
                quantity bigint NOT NULL,
                PRIMARY KEY (usage_id, unit)
            )
            """,
        ]),
        // Twin of SQLite's v5-payments-and-ledger-actors.
        Migration(name: "v2-payments-and-ledger-actors", statements: [
            "ALTER TABLE credit_ledger ADD COLUMN actor text",
            """
            CREATE TABLE payments (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                provider text NOT NULL,
                event_id text NOT NULL,
                key_id text NOT NULL,
                credits bigint NOT NULL,
                state text NOT NULL CHECK (state IN ('credited', 'refused')),
                refusal text,
                ledger_entry_id bigint,
                reference text,
                amount_paid bigint,
                currency text,
                received_at double precision NOT NULL,
                UNIQUE (provider, event_id)
            )
            """,
            "CREATE UNIQUE INDEX payments_credited_once ON payments(provider, reference) WHERE state = 'credited' AND reference IS NOT NULL",
        ]),
        // Several instances: the metagraph the leader publishes, and shared rate-limit buckets.
        Migration(name: "v3-leader-and-rate-buckets", statements: [
            """
            CREATE TABLE shared_metagraphs (
                subnet text PRIMARY KEY,
                metagraph text NOT NULL,
                published_at double precision NOT NULL
            )
            """,
            """
            CREATE TABLE rate_buckets (
                key_id text NOT NULL,
                rule text NOT NULL,
                tat_nanoseconds bigint NOT NULL,
                PRIMARY KEY (key_id, rule)
            )
            """,
        ]),
        // Twin of SQLite's v6-usage-daily: usage folded per key, UTC day and endpoint before pruning.
        Migration(name: "v4-usage-daily", statements: [
            """
            CREATE TABLE usage_daily (
                key_id text NOT NULL,
                day text NOT NULL,
                endpoint text NOT NULL,
                requests bigint NOT NULL,
                successes bigint NOT NULL,
                credits bigint NOT NULL,
                latency_seconds_sum double precision NOT NULL,
                PRIMARY KEY (key_id, day, endpoint)
            )
            """,
            """
            CREATE TABLE usage_daily_units (
                key_id text NOT NULL,
                day text NOT NULL,
                endpoint text NOT NULL,
                unit text NOT NULL,
                quantity bigint NOT NULL,
                PRIMARY KEY (key_id, day, endpoint, unit)
            )
            """,
        ]),
        // Twin of SQLite's v7-charge-lines. Several nodes keep durable holds and never write
        // `charge` lines themselves, but a ledger copied from a single node's SQLite file has them.
        Migration(name: "v5-charge-lines", statements: [
            "ALTER TABLE credit_ledger DROP CONSTRAINT credit_ledger_kind_check",
            """
            ALTER TABLE credit_ledger ADD CONSTRAINT credit_ledger_kind_check
                CHECK (kind IN ('grant', 'refund', 'adjustment', 'charge', 'reservation', 'commit', 'release', 'auto_refill'))
            """,
        ]),
    ]
}
