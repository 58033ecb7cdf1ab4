/// What one call consumed, in the units an endpoint prices (``EndpointDescriptor/unitPrices``),
/// such as `prompt_tokens` and `completion_tokens`. Units the endpoint does not price cost nothing
/// but are still recorded in the caller's usage log.
public struct Usage: Sendable, Hashable, Codable {
    /// Quantity per unit name; never negative.
    public private(set) var units: [String: Int]

    public init(_ units: [String: Int] = [:]) {
        self.units = units.filter { $0.value != 0 }.mapValues { max($0, 0) }
    }

    public subscript(unit: String) -> Int {
        get { units[unit] ?? 0 }
        set {
            let value = max(newValue, 0)
            units[unit] = value == 0 ? nil : value
        }
    }

    /// True when no unit was consumed.
    public var isEmpty: Bool { units.isEmpty }
}
