@testable import OrganicFramework
import PropertyBased
import Testing

/// Usage-based prices: what a caller is charged for the units it consumed.
@Suite("Price schedule")
struct PriceScheduleTests {
    static let units = ["prompt_tokens", "completion_tokens", "images"]

    /// The charge computed independently in 128-bit integers: per-call + Σ rate × quantity
    /// micro-credits, rounded up to the thousandth; nil when it exceeds what the ledger can hold.
    static func exactMillis(perCall: Int64, rates: [String: Int64], usage: Usage) -> Int128? {
        var total = Int128(perCall)
        for (unit, quantity) in usage.units { total += Int128(rates[unit] ?? 0) * Int128(quantity) }
        guard total <= Int128(Int64.max) else { return nil }
        return (total + 999) / 1000
    }

    /// A schedule from whole micro-credits (exactly representable through the Double prices).
    static func schedule(perCall: Int64, rates: [String: Int64]) -> PriceSchedule {
        PriceSchedule(price: Double(perCall) / 1e6, unitPrices: rates.mapValues { Double($0) / 1e6 })
    }

    static let saturated = Credits(millis: .max / 2)

    /// Micro-credit rates up to 10⁶ credits (exact through Double), often zero or tiny.
    static let micro = Gen.oneOf(Gen.always(Int64(0)), Gen.int64(in: 1...10), Gen.int64(in: 0...1_000_000_000_000))
    static let quantity = Gen.oneOf(Gen.int(in: 0...10), Gen.int(in: 0...100_000), Gen.int(in: 0...Int.max))
    static let usage = zip(quantity, quantity, quantity, quantity).map { q in
        Usage(["prompt_tokens": q.0, "completion_tokens": q.1, "images": q.2, "unpriced": q.3])
    }

    @Test("the charge is per-call + Σ rate × quantity rounded up to the thousandth, exactly (or saturated)")
    func exact() async {
        await propertyCheck(count: 500, input: Self.micro, Self.micro.array(of: 3), Self.usage) { perCall, rateList, usage in
            let rates = Dictionary(uniqueKeysWithValues: zip(Self.units, rateList))
            let schedule = Self.schedule(perCall: perCall, rates: rates)
            #expect(schedule.perCall == perCall)
            #expect(schedule.perUnit == rates)
            let cost = schedule.cost(of: usage)
            if let expected = Self.exactMillis(perCall: perCall, rates: rates, usage: usage) {
                #expect(Int128(cost.millis) == expected)
            } else {
                #expect(cost == Self.saturated)
            }
        }
    }

    @Test("the charge never decreases when any unit grows")
    func monotone() async {
        await propertyCheck(count: 500, input: Self.micro, Self.micro.array(of: 3), Self.usage, Gen.int(in: 0...3), Self.quantity) {
            perCall, rateList, usage, which, extra in
            let schedule = Self.schedule(perCall: perCall, rates: Dictionary(uniqueKeysWithValues: zip(Self.units, rateList)))
            var more = usage
            let unit = (Self.units + ["unpriced"])[which]
            let (grown, overflow) = more[unit].addingReportingOverflow(extra)
            more[unit] = overflow ? .max : grown
            #expect(schedule.cost(of: more) >= schedule.cost(of: usage))
            #expect(schedule.cost(of: usage) >= Credits(millis: (perCall + 999) / 1000))
        }
    }

    @Test("zero, negative and non-finite prices cost nothing, whatever the usage")
    func free() async {
        let schedules = [
            PriceSchedule(price: 0, unitPrices: [:]),
            PriceSchedule(price: 0, unitPrices: ["prompt_tokens": 0, "completion_tokens": 0]),
            PriceSchedule(price: -1, unitPrices: ["prompt_tokens": -0.5, "completion_tokens": .nan, "images": .infinity]),
        ]
        for schedule in schedules { #expect(!schedule.isUsageBased) }
        await propertyCheck(count: 200, input: Self.usage) { usage in
            for schedule in schedules { #expect(schedule.cost(of: usage) == .zero) }
        }
    }

    @Test("fractions of a thousandth round up; a whole thousandth does not")
    func roundingUp() {
        let schedule = PriceSchedule(price: 0, unitPrices: ["prompt_tokens": 0.000001, "completion_tokens": 0.002])
        #expect(schedule.cost(of: Usage(["prompt_tokens": 1])) == Credits(millis: 1))
        #expect(schedule.cost(of: Usage(["prompt_tokens": 1000])) == Credits(millis: 1))
        #expect(schedule.cost(of: Usage(["prompt_tokens": 1001])) == Credits(millis: 2))
        #expect(schedule.cost(of: Usage(["completion_tokens": 7])) == Credits(millis: 14))
        #expect(schedule.cost(of: Usage()) == .zero)
    }

    @Test("absurd quantities saturate instead of trapping, including totals within a thousandth of Int64.max")
    func saturation() {
        let tiny = PriceSchedule(price: 0, unitPrices: ["t": 0.000001])
        // 1 micro-credit × Int.max is exactly Int64.max micro-credits: rounding up must not overflow.
        #expect(tiny.cost(of: Usage(["t": .max])) == Credits(millis: Int64.max / 1000 + 1))
        #expect(tiny.cost(of: Usage(["t": .max - 500])) == Credits(millis: Int64.max / 1000 + 1))
        let pricey = PriceSchedule(price: 9e9, unitPrices: ["t": 9e9, "u": 1])
        #expect(pricey.cost(of: Usage(["t": .max])) == Self.saturated)
        #expect(pricey.cost(of: Usage(["t": 1_000_000, "u": .max])) == Self.saturated)
        // Saturated charges are above any charge that fits, so a hold for them is always refused.
        #expect(Self.saturated > tiny.cost(of: Usage(["t": .max])))
    }
}
