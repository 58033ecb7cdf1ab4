/// An endpoint's prices in exact integer arithmetic: a per-call price plus a price per unit of
/// ``Usage``, each held in micro-credits (10⁻⁶). A call's charge is the sum, rounded up to the
/// thousandth of a credit that the ledger keeps (``Credits``).
struct PriceSchedule: Sendable, Hashable {
    /// Micro-credits per call.
    let perCall: Int64
    /// Micro-credits per unit.
    let perUnit: [String: Int64]

    /// Prices from an endpoint descriptor's credits (already checked finite and ≥ 0).
    init(price: Double, unitPrices: [String: Double]) {
        perCall = Self.micro(price)
        perUnit = unitPrices.mapValues(Self.micro)
    }

    static func micro(_ credits: Double) -> Int64 {
        guard credits.isFinite, credits > 0 else { return 0 }
        return Int64((min(credits, 9e9) * 1_000_000).rounded())
    }

    /// Whether the charge depends on usage.
    var isUsageBased: Bool { perUnit.values.contains { $0 > 0 } }

    /// The charge for `usage`, saturating rather than overflowing for absurd quantities.
    func cost(of usage: Usage) -> Credits {
        var total = perCall
        for (unit, quantity) in usage.units {
            guard let rate = perUnit[unit], rate > 0 else { continue }
            let (product, overflow) = rate.multipliedReportingOverflow(by: Int64(quantity))
            let (sum, overflowed) = total.addingReportingOverflow(product)
            if overflow || overflowed { return Credits(millis: .max / 2) }
            total = sum
        }
        // Round up to the ledger's thousandths: a call never costs less than its listed prices.
        // (Divided first: `total + 999` would overflow within a thousandth of Int64.max.)
        return Credits(millis: total / 1000 + (total % 1000 > 0 ? 1 : 0))
    }
}
