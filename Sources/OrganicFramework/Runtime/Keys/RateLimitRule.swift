import Foundation

/// One rate limit of a key: at most `limit` requests per `periodSeconds`, optionally only for
/// one endpoint. Written `10/s`, `1000/day`, `60/min`, `5/10s` or `text-embeddings:10/s`.
public struct RateLimitRule: Codable, Sendable, Hashable, CustomStringConvertible {
    public var limit: Int
    public var periodSeconds: Double
    /// The endpoint name the rule applies to; nil for every endpoint together.
    public var endpoint: String?

    package init(limit: Int, periodSeconds: Double, endpoint: String? = nil) {
        self.limit = limit
        self.periodSeconds = periodSeconds
        self.endpoint = endpoint
    }

    /// Unit spellings; the first is the one ``description`` writes.
    static let units: [(names: [String], seconds: Double)] = [
        (["s", "sec", "second", "seconds"], 1), (["min", "m", "minute", "minutes"], 60), (["h", "hour", "hours"], 3600),
        (["day", "d", "days"], 86_400), (["month", "months"], 30 * 86_400),
    ]

    /// Parses the written form; nil when it is not one.
    package init?(parsing text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var endpoint: String?
        if let colon = rest.lastIndex(of: ":") {
            let name = String(rest[..<colon])
            guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) }) else { return nil }
            endpoint = name
            rest = rest[rest.index(after: colon)...]
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let limit = Int(parts[0]), limit >= 1, limit <= 1_000_000_000 else { return nil }
        var unit = parts[1]
        var multiple = 1.0
        let digits = unit.prefix(while: { $0.isASCII && $0.isNumber })
        if !digits.isEmpty {
            guard let value = Double(digits), value >= 1 else { return nil }
            multiple = value
            unit = unit.dropFirst(digits.count)
        }
        guard let seconds = Self.units.first(where: { $0.names.contains(String(unit)) })?.seconds else { return nil }
        let period = seconds * multiple
        guard period <= 366 * 86_400 else { return nil }
        self.init(limit: limit, periodSeconds: period, endpoint: endpoint)
    }

    public var description: String {
        let period: String
        if let unit = Self.units.last(where: { periodSeconds.truncatingRemainder(dividingBy: $0.seconds) == 0 && periodSeconds >= $0.seconds }) {
            let count = Int(periodSeconds / unit.seconds)
            period = count == 1 ? unit.names[0] : "\(count)\(unit.names[0])"
        } else {
            period = "\(periodSeconds)s"
        }
        return (endpoint.map { "\($0):" } ?? "") + "\(limit)/\(period)"
    }

    /// Whether the rule counts a request to `endpointName`.
    func applies(to endpointName: String) -> Bool {
        endpoint == nil || endpoint == endpointName
    }
}
