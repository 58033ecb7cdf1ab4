#!/usr/bin/env python3
"""What a paid request's ledger rows cost SQLite, for the ledger shapes the node could write.

    python3 Benchmarks/ledger_shapes.py [--requests 200000] [--batches 64,512]

Issue 15 asks for 50,000 paid requests/s settled on SQLite. `organic-bench keys` measures what
the node sustains today (about 15,000–19,000/s on a 2-core machine); this script measures the
database alone, without the node, so that the shape of the ledger can be chosen from numbers:

- durable: today's shape. A group-committed transaction holds each request's credits (a
  `reservation` line and an `open_reservations` row), a second one settles it (the row deleted,
  a `commit` line, a usage line); each moves the balances of the keys it touched once.
- memory-two-lines: holds kept in memory (one node owns its SQLite file); the settlement writes
  both lines and the usage line, so the ledger reads as today.
- memory-one-line: holds kept in memory; a charged request writes one line with its charge and
  its usage line (a release, one request in ten here, writes only the usage line).

The tables are those of the node's key migrations (credit_ledger with its two indexes,
open_reservations, usage_log with its index), in WAL mode with synchronous=NORMAL and the
automatic checkpoint off, as the node's writer runs beside SQLiteCheckpointService. Requests
spread over 16 keys. Python's own cost per statement (about 1 µs) is included: compare shapes
with each other, not with the node's figures.
"""
import argparse
import os
import sqlite3
import tempfile
import time
import uuid

SCHEMA = """
CREATE TABLE api_keys (id TEXT PRIMARY KEY NOT NULL, balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
                       last_used_at REAL) STRICT;
CREATE TABLE credit_ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id TEXT NOT NULL REFERENCES api_keys(id),
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'refund', 'adjustment', 'reservation', 'commit', 'release', 'auto_refill')),
    amount INTEGER NOT NULL, reservation_id INTEGER, endpoint TEXT, note TEXT, actor TEXT, created_at REAL NOT NULL) STRICT;
CREATE INDEX credit_ledger_key ON credit_ledger(key_id, id);
CREATE UNIQUE INDEX credit_ledger_settled_once ON credit_ledger(reservation_id) WHERE reservation_id IS NOT NULL;
CREATE TABLE open_reservations (reservation_id INTEGER PRIMARY KEY NOT NULL, key_id TEXT NOT NULL, amount INTEGER NOT NULL) STRICT;
CREATE TABLE usage_log (id INTEGER PRIMARY KEY, key_id TEXT NOT NULL, endpoint TEXT NOT NULL, status INTEGER NOT NULL,
                        credits INTEGER NOT NULL, latency_seconds REAL NOT NULL, created_at REAL NOT NULL) STRICT;
CREATE INDEX usage_log_key_time ON usage_log(key_id, created_at);
"""

HOLD, CHARGE = 1500, 1000


def open_database(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.executescript(SCHEMA)
    keys = [f"key_{uuid.uuid4().hex}" for _ in range(16)]
    db.executemany("INSERT INTO api_keys (id, balance) VALUES (?, ?)", [(k, 10**15) for k in keys])
    return db, keys


def usage(db, key, now, commit):
    db.execute("INSERT INTO usage_log (key_id, endpoint, status, credits, latency_seconds, created_at) VALUES (?, 'bench', ?, ?, 0.001, ?)",
               (key, 200 if commit else 502, CHARGE if commit else 0, now))


def move_balances(db, moved, now):
    for key, amount in moved.items():
        db.execute("UPDATE api_keys SET balance = balance + ?, last_used_at = ? WHERE id = ?", (amount, now, key))


def transaction(db, batch, now, write):
    """One write transaction over the batch: `write(key, commit, position)` writes a request's
    rows and returns how much it moved its key's balance; each key's row is updated once."""
    moved = {}
    db.execute("BEGIN IMMEDIATE")
    for position, (key, commit) in enumerate(batch):
        moved[key] = moved.get(key, 0) + write(key, commit, position)
    move_balances(db, moved, now)
    db.execute("COMMIT")


def durable(db, batch, now):
    held, seen = [], set()

    def reserve(key, commit, position):
        if key not in seen:  # as the node's writer: each key's balance is read once per transaction
            seen.add(key)
            db.execute("SELECT balance FROM api_keys WHERE id = ?", (key,)).fetchone()
        line = db.execute("INSERT INTO credit_ledger (key_id, kind, amount, endpoint, created_at) VALUES (?, 'reservation', ?, 'bench', ?)",
                          (key, -HOLD, now)).lastrowid
        db.execute("INSERT INTO open_reservations VALUES (?, ?, ?)", (line, key, HOLD))
        held.append(line)
        return -HOLD

    def settle(key, commit, position):
        db.execute("DELETE FROM open_reservations WHERE reservation_id = ?", (held[position],))
        return settlement_line(db, key, commit, held[position], now)

    transaction(db, batch, now, reserve)
    transaction(db, batch, now, settle)


def settlement_line(db, key, commit, reservation, now):
    back = HOLD - CHARGE if commit else HOLD
    db.execute("INSERT INTO credit_ledger (key_id, kind, amount, reservation_id, created_at) VALUES (?, ?, ?, ?, ?)",
               (key, "commit" if commit else "release", back, reservation, now))
    usage(db, key, now, commit)
    return back


def memory_two_lines(db, batch, now):
    def write(key, commit, position):
        line = db.execute("INSERT INTO credit_ledger (key_id, kind, amount, endpoint, created_at) VALUES (?, 'reservation', ?, 'bench', ?)",
                          (key, -HOLD, now)).lastrowid
        return settlement_line(db, key, commit, line, now) - HOLD

    transaction(db, batch, now, write)


def memory_one_line(db, batch, now):
    def write(key, commit, position):
        usage(db, key, now, commit)
        if not commit:
            return 0
        db.execute("INSERT INTO credit_ledger (key_id, kind, amount, endpoint, created_at) VALUES (?, 'commit', ?, 'bench', ?)",
                   (key, -CHARGE, now))
        return -CHARGE

    transaction(db, batch, now, write)


def run(shape, requests, batch_size):
    with tempfile.TemporaryDirectory(prefix="organic-ledger-shapes-") as directory:
        db, keys = open_database(os.path.join(directory, "keys.sqlite"))
        start = time.perf_counter()
        done = 0
        while done < requests:
            now = time.time()
            batch = [(keys[(done + i) % len(keys)], (done + i) % 10 != 9) for i in range(batch_size)]
            shape(db, batch, now)
            done += batch_size
        elapsed = time.perf_counter() - start
        db.close()
        return done / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--batches", default="64,512", help="requests per transaction, comma-separated")
    args = parser.parse_args()
    print(f"{'shape':18} {'batch':>6} {'requests/s':>11}")
    for batch_size in (int(b) for b in args.batches.split(",")):
        for shape in (durable, memory_two_lines, memory_one_line):
            rate = run(shape, args.requests, batch_size)
            print(f"{shape.__name__.replace('_', '-'):18} {batch_size:6d} {rate:11.0f}")


if __name__ == "__main__":
    main()
