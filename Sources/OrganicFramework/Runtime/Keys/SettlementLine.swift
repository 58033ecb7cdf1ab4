/// The ledger line that settles a reservation, the same on every backend: a commit gives back
/// what the request did not use of its hold (`charged` caps the charge, never above the hold and
/// never below zero); a release gives back all of it.
struct SettlementLine: Equatable {
    let kind: LedgerEntry.Kind
    /// Credits going back to the balance (never negative).
    let back: Credits
    let note: String?

    init(amount: Credits, commit: Bool, charged: Credits?) {
        let charge = min(max(charged?.millis ?? amount.millis, 0), amount.millis)
        let unused = Credits(millis: max(amount.millis - charge, 0))
        kind = commit ? .commit : .release
        back = commit ? unused : amount
        note = commit && unused.millis > 0 ? "charged \(Credits(millis: amount.millis - unused.millis)) of \(amount) held" : nil
    }
}
