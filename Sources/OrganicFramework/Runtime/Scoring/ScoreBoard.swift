package import Foundation

/// The score book read against the current metagraph: standings for operators and the weight
/// vector to set. Used by the admin API, the CLI (through it) and the weight-setting service.
package struct ScoreBoard: Sendable {
    package let book: ScoreBook
    package let settings: ScoringSettings
    let metagraph: @Sendable () async -> Metagraph
    let clock: any NodeClock
    /// The endpoints this board reads from the book (one subnet's, when the book is shared by
    /// several); nil reads them all.
    let endpoints: Set<String>?
    let plans = WeightPlanCache()
    /// With several instances on PostgreSQL: every instance's periods, for the weights.
    var shared: SharedScoreWindow?

    package init(book: ScoreBook, settings: ScoringSettings, clock: any NodeClock, endpoints: Set<String>? = nil,
                metagraph: @escaping @Sendable () async -> Metagraph) {
        self.book = book
        self.settings = settings
        self.clock = clock
        self.endpoints = endpoints
        self.metagraph = metagraph
    }

    /// The book's snapshot, cut to this board's endpoints.
    func snapshot(at now: Date) -> ScoreBook.Snapshot {
        var snapshot = book.snapshot(at: now)
        if let endpoints {
            snapshot.current = snapshot.current.filter { endpoints.contains($0.key.endpoint) }
            snapshot.history = snapshot.history.filter { endpoints.contains($0.key.endpoint) }
        }
        return snapshot
    }

    /// The weights that would be set now.
    package func weights() async -> WeightReport {
        let now = clock.now()
        let window: ScoreWindow
        if let shared, let merged = await shared.window(at: now) {
            window = merged
        } else {
            window = book.window(at: now)
        }
        return weights(window, metagraph: await metagraph(), at: now)
    }

    /// The weights from the book's window: the same numbers as ``weights(_:metagraph:settings:at:)``
    /// computes from the period lists, read from dense sums.
    func weights(_ window: ScoreWindow, metagraph: Metagraph, at now: Date) -> WeightReport {
        let plan = plans.plan(for: metagraph, window: window, endpointWeights: settings.endpointWeights, endpoints: endpoints)
        let scores = plan.scores(window, minimumPeriods: settings.minimumPeriods)
        return Self.report(uids: plan.uids, scores: scores, period: window.period, metagraph: metagraph, settings: settings, at: now)
    }

    /// The weights straight from a snapshot's period lists (the reference the window must match).
    static func weights(_ snapshot: ScoreBook.Snapshot, metagraph: Metagraph, settings: ScoringSettings, at now: Date) -> WeightReport {
        let scores = ScoreCalculator.minerScores(snapshot, endpointWeights: settings.endpointWeights, minimumPeriods: settings.minimumPeriods)
        let (uids, values) = ScoreCalculator.metagraphScores(scores, metagraph: metagraph)
        return report(uids: uids, scores: values, period: snapshot.period, metagraph: metagraph, settings: settings, at: now)
    }

    static func report(uids: [UInt16], scores: [Double], period: Int64, metagraph: Metagraph, settings: ScoringSettings,
                       at now: Date) -> WeightReport {
        let (normalized, vector) = WeightCalculator.vector(uids: uids, scores: scores, policy: settings.weightPolicy)
        return WeightReport(computedAt: now, period: period, netuid: metagraph.netuid, uids: vector.uids,
                            weights: vector.weights, normalized: zip(uids, normalized).filter { $0.1 > 0 }
                                .map { WeightReport.Share(uid: $0.0, weight: $0.1) })
    }

    /// Every miner's standing: per-endpoint scores, periods kept, latest and current period
    /// means, final score and normalised weight.
    package func standings() async -> StandingsReport {
        let now = clock.now()
        let snapshot = snapshot(at: now)
        let graph = await metagraph()
        let report = weights(book.window(at: now), metagraph: graph, at: now)
        var weightByUID: [UInt16: Double] = [:]
        for share in report.normalized { weightByUID[share.uid] = share.weight }

        var keysByHotkey: [String: Set<String>] = [:]
        for key in snapshot.history.keys { keysByHotkey[key.hotkey, default: []].insert(key.endpoint) }
        var currentUIDs: [String: UInt16] = [:]
        for (key, running) in snapshot.current {
            keysByHotkey[key.hotkey, default: []].insert(key.endpoint)
            currentUIDs[key.hotkey] = running.uid
        }
        let inGraph = Dictionary(graph.neurons.map { ($0.hotkey, $0.uid) }, uniquingKeysWith: { a, _ in a })

        var miners: [MinerStanding] = []
        for hotkey in Set(keysByHotkey.keys).union(inGraph.keys) {
            var endpoints: [EndpointStanding] = []
            var total = 0.0
            for endpoint in (keysByHotkey[hotkey] ?? []).sorted() {
                let key = ScoreBook.Key(hotkey: hotkey, endpoint: endpoint)
                let periods = snapshot.history[key] ?? []
                let result = ScoreCalculator.endpointScore(periods, currentPeriod: snapshot.period, periodsKept: snapshot.periodsKept,
                                                           minimumPeriods: settings.minimumPeriods)
                let share = settings.endpointWeights[endpoint] ?? 0
                total += share * result.score
                let current = snapshot.current[key]
                endpoints.append(EndpointStanding(endpoint: endpoint, endpointWeight: share, score: result.score,
                                                  meanOfPeriods: result.meanOfPeriods, periodsKept: result.periodsCounted,
                                                  latestPeriodMean: periods.last?.mean, currentPeriodMean: current?.mean,
                                                  currentPeriodRounds: current?.count ?? 0))
            }
            let uid = inGraph[hotkey] ?? currentUIDs[hotkey] ?? snapshot.uids[hotkey] ?? 0
            miners.append(MinerStanding(uid: uid, hotkey: hotkey, inMetagraph: inGraph[hotkey] != nil, score: total,
                                        weight: inGraph[hotkey].map { weightByUID[$0] ?? 0 }, endpoints: endpoints))
        }
        miners.sort { ($0.uid, $0.hotkey) < ($1.uid, $1.hotkey) }
        return StandingsReport(computedAt: now, period: snapshot.period,
                               periodStart: ScoringPeriods.start(of: snapshot.period, periodSeconds: settings.periodSeconds),
                               periodSeconds: settings.periodSeconds, periodsKept: settings.periodsKept,
                               minimumPeriods: settings.minimumPeriods, endpointWeights: settings.endpointWeights, miners: miners)
    }
}

/// `GET /admin/weights`: the vector that would be set now.
package struct WeightReport: Sendable, Hashable, Codable {
    package struct Share: Sendable, Hashable, Codable {
        package var uid: UInt16
        package var weight: Double
    }
    package var computedAt: Date
    /// The open period; weights use the periods before it.
    package var period: Int64
    package var netuid: UInt16?
    /// Ascending uids with their u16 weights, exactly as they would be set.
    package var uids: [UInt16]
    package var weights: [UInt16]
    /// Normalised weights (summing to 1) before the u16 conversion, positive ones only.
    package var normalized: [Share]

    package var vector: WeightVector { WeightVector(uids: uids, weights: weights) }
}

/// Every miner's standing, part of `GET /admin/scores`.
package struct StandingsReport: Sendable, Hashable, Codable {
    package var computedAt: Date
    package var period: Int64
    package var periodStart: Date
    package var periodSeconds: Double
    package var periodsKept: Int
    package var minimumPeriods: Int
    package var endpointWeights: [String: Double]
    package var miners: [MinerStanding]
}

/// One miner (hotkey) as scored.
package struct MinerStanding: Sendable, Hashable, Codable {
    package var uid: UInt16
    package var hotkey: String
    /// False for a hotkey that has left the metagraph; it gets no weight.
    package var inMetagraph: Bool
    /// `Σ endpointWeight × endpoint score`, in [0, 1].
    package var score: Double
    /// Normalised weight (before u16); nil when not in the metagraph.
    package var weight: Double?
    package var endpoints: [EndpointStanding]
}

/// One miner's standing on one endpoint.
package struct EndpointStanding: Sendable, Hashable, Codable {
    package var endpoint: String
    package var endpointWeight: Double
    /// Mean of period means × the newcomer penalty.
    package var score: Double
    package var meanOfPeriods: Double
    /// Completed periods with scores within the last K.
    package var periodsKept: Int
    package var latestPeriodMean: Double?
    /// Running mean of the open period (not yet part of the score).
    package var currentPeriodMean: Double?
    package var currentPeriodRounds: Int
}
