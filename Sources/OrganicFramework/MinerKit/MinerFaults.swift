import OrganicFramework
/// Misbehaviour a reference miner can be told to show, so that tests and the demo can watch
/// scoring, retries and cooldowns work against real HTTP.
public struct MinerFaults: Sendable, Hashable, Codable {
    /// Share of requests answered validly but wrongly (the handler is told to answer wrongly).
    public var wrongAnswerRate: Double
    /// Share of requests answered with HTTP 500.
    public var errorRate: Double
    /// Share of requests answered only after `slowDelaySeconds`.
    public var slowRate: Double
    public var slowDelaySeconds: Double
    /// Share of streamed answers that fall silent after a few events and never finish.
    public var stallRate: Double
    /// Share of streamed answers that end halfway, without their end marker.
    public var truncateRate: Double

    public init(wrongAnswerRate: Double = 0, errorRate: Double = 0, slowRate: Double = 0, slowDelaySeconds: Double = 30,
                stallRate: Double = 0, truncateRate: Double = 0) {
        self.wrongAnswerRate = wrongAnswerRate
        self.errorRate = errorRate
        self.slowRate = slowRate
        self.slowDelaySeconds = slowDelaySeconds
        self.stallRate = stallRate
        self.truncateRate = truncateRate
    }

    // Older configuration files have no stream fault rates.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(wrongAnswerRate: try c.decodeIfPresent(Double.self, forKey: .wrongAnswerRate) ?? 0,
                  errorRate: try c.decodeIfPresent(Double.self, forKey: .errorRate) ?? 0,
                  slowRate: try c.decodeIfPresent(Double.self, forKey: .slowRate) ?? 0,
                  slowDelaySeconds: try c.decodeIfPresent(Double.self, forKey: .slowDelaySeconds) ?? 30,
                  stallRate: try c.decodeIfPresent(Double.self, forKey: .stallRate) ?? 0,
                  truncateRate: try c.decodeIfPresent(Double.self, forKey: .truncateRate) ?? 0)
    }

    /// An honest miner.
    public static let none = MinerFaults()
    /// The demo's faulty miner: mostly wrong answers, some errors, a few very slow answers.
    public static let mixed = MinerFaults(wrongAnswerRate: 0.6, errorRate: 0.2, slowRate: 0.1)
    /// Every answer is wrong (valid JSON, wrong content).
    public static let alwaysWrong = MinerFaults(wrongAnswerRate: 1)
    /// Every request fails with HTTP 500.
    public static let alwaysError = MinerFaults(errorRate: 1)
    /// Every answer comes after `delay` seconds.
    public static func alwaysSlow(_ delay: Double) -> MinerFaults { MinerFaults(slowRate: 1, slowDelaySeconds: delay) }

    /// Every streamed answer stalls after a few events.
    public static let alwaysStalls = MinerFaults(stallRate: 1)
    /// Every streamed answer ends halfway.
    public static let alwaysTruncates = MinerFaults(truncateRate: 1)

    /// What to do with one request, given a uniform draw in [0, 1).
    enum Action: Equatable { case error, slow, stall, truncate, wrong, honest }

    func action(for draw: Double) -> Action {
        var bound = errorRate
        if draw < bound { return .error }
        bound += slowRate
        if draw < bound { return .slow }
        bound += stallRate
        if draw < bound { return .stall }
        bound += truncateRate
        if draw < bound { return .truncate }
        bound += wrongAnswerRate
        if draw < bound { return .wrong }
        return .honest
    }
}
