import Foundation

/// Credits held by paid requests in flight on a node that alone writes its SQLite database.
///
/// The holds live in memory: holding costs one lock instead of a writer transaction, and a
/// finished request writes one `charge` line (none when it is released). A crash loses only the
/// holds, which nothing had charged yet (the next start would have released them anyway).
///
/// Each key's account mirrors its stored balance. The ledger writer reads the balance the first
/// time a key holds credits (and again once a refill falls due or the key's settings change).
/// Every later movement of the stored balance is applied by the writer block that commits it,
/// right after the commit and before any other write, so the mirror never misses or repeats a
/// movement. Several nodes on one database (PostgreSQL) keep durable holds instead.
final class CreditHolds: Sendable {
    struct Account {
        /// The stored balance: the sum of the key's ledger lines.
        var settled: Int64
        /// Held by requests in flight, and by negative adjustments being written.
        var held: Int64 = 0
        /// When the key's automatic refill falls due; nil: it has none.
        var refillDue: Date?
        /// False once the key's settings changed: the writer reads the account again.
        var current = true
        /// The sweep period in which the writer last read the account (see ``sync(_:settled:refillDue:)``).
        var epoch: UInt64 = 0

        var available: Int64 { settled - held }
    }

    /// What one committed transaction did to an account.
    struct Movement {
        /// Added to the stored balance (negative for charges and adjustments).
        var settled: Int64 = 0
        /// No longer held (settled requests, written adjustments).
        var released: Int64 = 0
        /// The refill due date written with this transaction, when a refill was applied.
        var refillDue: Date??
    }

    private struct State {
        var accounts: [String: Account] = [:]
        var holds: [Int64: CreditReservation] = [:]
        var nextID: Int64 = 1
        var epoch: UInt64 = 0
        /// The account count at which the next sweep runs.
        var sweepAt: Int
    }

    private let state: Locked<State>
    /// The account count at which those holding nothing start being dropped (each is read again
    /// by the writer at its key's next hold): memory stays bounded however many keys pay.
    let maxAccounts: Int

    init(maxAccounts: Int = 65_536) {
        self.maxAccounts = max(maxAccounts, 1)
        state = Locked(State(sweepAt: self.maxAccounts))
    }

    /// Holds `amount` when the key's account is known and current and no refill is due; nil
    /// sends the request to the writer (``sync(_:settled:refillDue:)``, then
    /// ``hold(keyID:amount:)``).
    func holdIfCurrent(keyID: String, amount: Credits, now: Date) -> ReservationOutcome? {
        state.withLock { state in
            guard let index = state.accounts.index(forKey: keyID) else { return nil }
            let account = state.accounts.values[index]
            guard account.current, account.refillDue.map({ now < $0 }) ?? true else { return nil }
            return Self.hold(&state, at: index, keyID: keyID, amount: amount)
        }
    }

    /// Holds `amount` against the account as it is (the writer has just read it).
    func hold(keyID: String, amount: Credits) -> ReservationOutcome {
        state.withLock { state in
            guard let index = state.accounts.index(forKey: keyID) else { return .unknownKey }
            return Self.hold(&state, at: index, keyID: keyID, amount: amount)
        }
    }

    /// One hash lookup per hold (the caller's): this runs for every paid request.
    private static func hold(_ state: inout State, at index: Dictionary<String, Account>.Index, keyID: String,
                             amount: Credits) -> ReservationOutcome {
        let available = state.accounts.values[index].available
        guard available >= amount.millis else { return .insufficient(balance: Credits(millis: available)) }
        state.accounts.values[index].held += amount.millis
        let reservation = CreditReservation(id: state.nextID, keyID: keyID, amount: amount)
        state.nextID += 1
        state.holds[reservation.id] = reservation
        return .reserved(reservation)
    }

    /// Holds `amount` for a write of the writer's own (a negative adjustment), without an id;
    /// returns the credits available when they do not cover it.
    func holdForWrite(keyID: String, amount: Int64) -> Int64? {
        state.withLock { state in
            guard let available = state.accounts[keyID]?.available else { return 0 }
            guard available >= amount else { return available }
            state.accounts[keyID]?.held += amount
            return nil
        }
    }

    /// The writer read the key's stored balance (before its own changes): the account starts or
    /// catches up from it, keeping its holds.
    func sync(_ keyID: String, settled: Int64, refillDue: Date?) {
        state.withLock { state in
            let held = state.accounts[keyID]?.held ?? 0
            if state.accounts[keyID] == nil, state.accounts.count >= state.sweepAt {
                // Drops the idle accounts not read since the last sweep, so an account the writer
                // has just read (for a hold it is about to decide) survives. Sweeps are at least
                // maxAccounts / 2 new accounts apart: O(1) amortised, at most about twice the
                // larger of maxAccounts and the accounts holding credits.
                let epoch = state.epoch
                state.accounts = state.accounts.filter { $0.value.held != 0 || $0.value.epoch == epoch }
                state.epoch += 1
                state.sweepAt = max(maxAccounts, state.accounts.count * 2)
            }
            state.accounts[keyID] = Account(settled: settled, held: held, refillDue: refillDue, epoch: state.epoch)
        }
    }

    /// Accounts kept now.
    var accountCount: Int { state.withLock { $0.accounts.count } }

    /// Credits the key holds now (requests in flight).
    func held(by keyID: String) -> Int64 {
        state.withLock { $0.accounts[keyID]?.held ?? 0 }
    }

    /// The hold `id`, taken for its settlement; nil when it was already settled (or never made).
    func take(_ id: Int64) -> CreditReservation? {
        state.withLock { $0.holds.removeValue(forKey: id) }
    }

    /// The key's settings changed: the writer reads its account again before the next hold.
    func invalidate(_ keyID: String) {
        state.withLock { $0.accounts[keyID]?.current = false }
    }

    /// Applies what a transaction committed (by its writer block, before any other write).
    func apply(_ movements: [String: Movement]) {
        guard !movements.isEmpty else { return }
        state.withLock { state in
            for (keyID, movement) in movements {
                guard var account = state.accounts[keyID] else { continue }
                account.settled += movement.settled
                account.held -= movement.released
                if let due = movement.refillDue { account.refillDue = due }
                state.accounts[keyID] = account
            }
        }
    }

    /// Gives back what a rolled-back transaction held for its own writes.
    func unhold(_ released: [String: Int64]) {
        state.withLock { state in
            for (keyID, amount) in released { state.accounts[keyID]?.held -= amount }
        }
    }
}
