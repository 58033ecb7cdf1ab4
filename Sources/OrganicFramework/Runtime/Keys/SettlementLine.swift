/// What settling a hold comes to: a commit charges what the request used of its hold (`charged`
/// caps the charge, never above the hold and never below zero) and gives back the rest; a release
/// gives back all of it. Durable holds (PostgreSQL) write the line that gives credits back; holds
/// kept in memory (SQLite) write the charge.
struct SettlementLine: Equatable {
    let kind: LedgerEntry.Kind
    /// Credits going back to the balance (never negative).
    let back: Credits
    /// Credits the request is charged (0 for a release).
    let charged: Credits
    let note: String?

    init(amount: Credits, commit: Bool, charged: Credits?) {
        let charge = commit ? min(max(charged?.millis ?? amount.millis, 0), amount.millis) : 0
        let unused = Credits(millis: max(amount.millis - charge, 0))
        kind = commit ? .commit : .release
        back = unused
        self.charged = Credits(millis: charge)
        note = commit && unused.millis > 0 ? "charged \(Credits(millis: charge)) of \(amount) held" : nil
    }
}
