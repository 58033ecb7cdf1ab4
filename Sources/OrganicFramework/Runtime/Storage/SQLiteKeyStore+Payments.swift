package import Foundation
import GRDB

extension SQLiteKeyStore {
    /// One write transaction (SQLite has one writer at a time): the duplicate check, the payment
    /// row and the ledger line are decided together; the unique indexes back the check.
    package func applyPayment(_ payment: PaymentCredit, now: Date) async throws -> PaymentOutcome {
        try await writeLedger { db, ledger in
            if let existing = try Self.existingPayment(db, payment) { return .duplicate(existing) }
            let keyState = try String.fetchOne(db, sql: "SELECT state FROM api_keys WHERE id = ?", arguments: [payment.keyID])
                .map { APIKeyRecord.State(rawValue: $0) ?? .revoked }  // an unreadable state is not credited
            let refusal = payment.refusal(keyState: keyState)
            var entry: LedgerEntry?
            if refusal == nil {
                entry = try ledger.append(keyID: payment.keyID, kind: .grant, amount: payment.credits, note: payment.ledgerNote,
                                          actor: payment.provider.rawValue, now: now)
            }
            try db.execute(sql: """
                INSERT INTO payments (provider, event_id, key_id, credits, state, refusal, ledger_entry_id, reference, amount_paid, currency, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [payment.provider.rawValue, payment.eventID, payment.keyID, payment.credits.millis,
                                 (refusal == nil ? PaymentRecord.State.credited : .refused).rawValue, refusal?.rawValue, entry?.id,
                                 payment.reference, payment.amountPaid, payment.currency, now.timeIntervalSince1970])
            let record = PaymentRecord(id: db.lastInsertedRowID, payment: payment, refusal: refusal, ledgerEntryID: entry?.id, receivedAt: now)
            if let entry { return .credited(record, entry) }
            return .refused(record)
        }
    }

    package func payments(limit: Int) async throws -> [PaymentRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM payments ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.payment)
        }
    }

    /// The stored payment this one repeats: the same event, or the same reference already credited.
    static func existingPayment(_ db: Database, _ payment: PaymentCredit) throws -> PaymentRecord? {
        try Row.fetchOne(db, sql: """
            SELECT * FROM payments WHERE provider = ? AND (event_id = ? OR (state = 'credited' AND reference = ?))
            ORDER BY event_id = ? DESC LIMIT 1
            """, arguments: [payment.provider.rawValue, payment.eventID, payment.reference, payment.eventID]).map(Self.payment)
    }

    static func payment(_ row: Row) throws -> PaymentRecord {
        let id: Int64 = row["id"]
        guard let provider = PaymentProvider(rawValue: row["provider"]), let state = PaymentRecord.State(rawValue: row["state"]) else {
            throw CorruptPaymentRecord(id: id)
        }
        return PaymentRecord(id: id, provider: provider, eventID: row["event_id"], keyID: row["key_id"], credits: Credits(millis: row["credits"]),
                             state: state, refusal: (row["refusal"] as String?).flatMap(PaymentRecord.Refusal.init(rawValue:)),
                             ledgerEntryID: row["ledger_entry_id"], reference: row["reference"], amountPaid: row["amount_paid"],
                             currency: row["currency"], receivedAt: Date(timeIntervalSince1970: row["received_at"]))
    }
}

extension PaymentRecord {
    init(id: Int64, payment: PaymentCredit, refusal: Refusal?, ledgerEntryID: Int64?, receivedAt: Date) {
        self.init(id: id, provider: payment.provider, eventID: payment.eventID, keyID: payment.keyID, credits: payment.credits,
                  state: refusal == nil ? .credited : .refused, refusal: refusal, ledgerEntryID: ledgerEntryID, reference: payment.reference,
                  amountPaid: payment.amountPaid, currency: payment.currency, receivedAt: receivedAt)
    }
}

/// A payments row whose provider or state this node does not know (written by a newer version).
struct CorruptPaymentRecord: Error, CustomStringConvertible {
    var id: Int64
    var description: String { "payments row \(id): unknown provider or state" }
}
