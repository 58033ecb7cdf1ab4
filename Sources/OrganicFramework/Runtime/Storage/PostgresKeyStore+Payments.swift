import Foundation
import Logging
import PostgresNIO

extension PostgresKeyStore {
    /// One transaction. The key's row is locked first, so that applications to one key (from any
    /// instance) run one after the other and each sees what the previous one stored; a payment
    /// naming no key has no row to lock, and there the unique index decides: a second insert of
    /// the same event waits for the first transaction and then inserts nothing.
    func applyPayment(_ payment: PaymentCredit, now: Date) async throws -> PaymentOutcome {
        try await storage.transaction { connection in
            let keyRows = try await connection.rows("SELECT state FROM api_keys WHERE id = \(payment.keyID) FOR UPDATE", logger: logger)
            let keyState = try keyRows.first.map { APIKeyRecord.State(rawValue: try $0.decode(String.self)) ?? .revoked }  // unreadable: not credited
            if let existing = try await Self.existingPayment(connection, logger: logger, payment) { return .duplicate(existing) }
            let refusal = payment.refusal(keyState: keyState)
            let state: PaymentRecord.State = refusal == nil ? .credited : .refused
            let inserted = try await connection.rows("""
                INSERT INTO payments (provider, event_id, key_id, credits, state, refusal, ledger_entry_id, reference, amount_paid, currency, received_at)
                VALUES (\(payment.provider.rawValue), \(payment.eventID), \(payment.keyID), \(payment.credits.millis), \(state.rawValue),
                        \(refusal?.rawValue), NULL, \(payment.reference), \(payment.amountPaid), \(payment.currency), \(now.timeIntervalSince1970))
                ON CONFLICT DO NOTHING RETURNING id
                """, logger: logger)
            guard let row = inserted.first else {
                // Another transaction stored it meanwhile (and has committed: the insert waited for it).
                guard let existing = try await Self.existingPayment(connection, logger: logger, payment) else { throw KeyStoreError.notFound }
                return .duplicate(existing)
            }
            var record = PaymentRecord(id: try row.decode(Int64.self), payment: payment, refusal: refusal, ledgerEntryID: nil, receivedAt: now)
            guard refusal == nil else { return .refused(record) }
            let entry = try await Self.append(connection, logger: logger, keyID: payment.keyID, kind: .grant, amount: payment.credits,
                                              note: payment.ledgerNote, actor: payment.provider.rawValue, now: now)
            try await connection.query("UPDATE payments SET ledger_entry_id = \(entry.id) WHERE id = \(record.id)", logger: logger)
            record.ledgerEntryID = entry.id
            return .credited(record, entry)
        }
    }

    func payments(limit: Int) async throws -> [PaymentRecord] {
        try await storage.rows("SELECT \(unescaped: Self.paymentColumns) FROM payments ORDER BY id DESC LIMIT \(limit)").map(Self.payment)
    }

    static let paymentColumns = """
        id, provider, event_id, key_id, credits, state, refusal, ledger_entry_id, reference, amount_paid, currency, received_at
        """

    /// The stored payment this one repeats: the same event, or the same reference already credited.
    static func existingPayment(_ connection: PostgresConnection, logger: Logger, _ payment: PaymentCredit) async throws -> PaymentRecord? {
        try await connection.rows("""
            SELECT \(unescaped: paymentColumns) FROM payments
            WHERE provider = \(payment.provider.rawValue) AND (event_id = \(payment.eventID) OR (state = 'credited' AND reference = \(payment.reference)))
            ORDER BY event_id = \(payment.eventID) DESC LIMIT 1
            """, logger: logger).first.map(Self.payment)
    }

    /// A payment row selected as ``paymentColumns``.
    static func payment(_ row: PostgresRow) throws -> PaymentRecord {
        let (id, provider, eventID, keyID, credits, state, refusal, ledgerEntryID, reference, amountPaid, currency, received) =
            try row.decode((Int64, String, String, String, Int64, String, String?, Int64?, String?, Int64?, String?, Double).self)
        guard let provider = PaymentProvider(rawValue: provider), let state = PaymentRecord.State(rawValue: state) else {
            throw CorruptPaymentRecord(id: id)
        }
        return PaymentRecord(id: id, provider: provider, eventID: eventID, keyID: keyID, credits: Credits(millis: credits), state: state,
                             refusal: refusal.flatMap(PaymentRecord.Refusal.init(rawValue:)), ledgerEntryID: ledgerEntryID,
                             reference: reference, amountPaid: amountPaid, currency: currency, receivedAt: Date(timeIntervalSince1970: received))
    }
}
