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

    public init(wrongAnswerRate: Double = 0, errorRate: Double = 0, slowRate: Double = 0, slowDelaySeconds: Double = 30) {
        self.wrongAnswerRate = wrongAnswerRate
        self.errorRate = errorRate
        self.slowRate = slowRate
        self.slowDelaySeconds = slowDelaySeconds
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

    /// What to do with one request, given a uniform draw in [0, 1).
    enum Action: Equatable { case error, slow, wrong, honest }

    func action(for draw: Double) -> Action {
        if draw < errorRate { return .error }
        if draw < errorRate + slowRate { return .slow }
        if draw < errorRate + slowRate + wrongAnswerRate { return .wrong }
        return .honest
    }
}
