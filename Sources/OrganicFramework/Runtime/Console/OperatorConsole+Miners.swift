import Foundation
import Hummingbird

/// Miners: score per endpoint, period history, weights (normalised and u16), cooldown and
/// capacity; a miner's page with its recent rounds and their reasons. Read from the subnet's
/// ``ScoreBoard`` and ``MinerSelector``, as `/admin/scores`, `/admin/weights` and `/admin/miners` are.
extension OperatorConsole {
    /// Miners drawn in a history chart (the best scored).
    static let chartedMiners = 8
    /// Rounds read to find a miner's recent ones.
    static let scannedRounds = 1000
    static let minerRounds = 50

    func registerMinerPages(on console: RouterGroup<OrganicRequestContext>) {
        console.get("miners") { request, _ in try await minersPage(request) }
        console.get("miners/:hotkey") { request, context in
            guard let hotkey = context.parameters.get("hotkey"), !hotkey.isEmpty, hotkey.count <= 128 else {
                throw APIError.notFound("No miner given.")
            }
            return try await minerPage(request, hotkey: hotkey)
        }
    }

    /// One subnet's miners read together: standings, weights and the selector's view.
    struct MinerView: Sendable {
        let subnet: AdminAPI.Subnet
        let standings: StandingsReport?
        let weights: WeightReport?
        let statuses: [String: MinerStatus]
        let snapshot: ScoreBook.Snapshot?

        init(_ subnet: AdminAPI.Subnet, now: Date) async {
            self.subnet = subnet
            standings = await subnet.scoreBoard?.standings()
            weights = await subnet.scoreBoard?.weights()
            statuses = Dictionary(subnet.selector.statuses().map { ($0.hotkey, $0) }, uniquingKeysWith: { a, _ in a })
            snapshot = subnet.scoreBoard?.snapshot(at: now)
        }

        func u16(uid: UInt16) -> UInt16? {
            guard let weights, let index = weights.uids.firstIndex(of: uid) else { return nil }
            return weights.weights[index]
        }

        /// Every hotkey known to the selector or the score board, by uid.
        var hotkeys: [String] {
            let standingUIDs = Dictionary((standings?.miners ?? []).map { ($0.hotkey, $0.uid) }, uniquingKeysWith: { a, _ in a })
            return Set(statuses.keys).union(standingUIDs.keys).sorted {
                (statuses[$0]?.uid ?? standingUIDs[$0] ?? 0, $0) < (statuses[$1]?.uid ?? standingUIDs[$1] ?? 0, $1)
            }
        }

        func standing(_ hotkey: String) -> MinerStanding? {
            standings?.miners.first { $0.hotkey == hotkey }
        }

        /// The period labels of history charts: the K kept periods and the open one.
        var periodLabels: [(period: Int64, label: String)] {
            guard let snapshot, let standings else { return [] }
            // Start times: hours and minutes for periods shorter than a day, else the day.
            let style = standings.periodSeconds < 86_400
                ? Date.ISO8601FormatStyle(timeZone: .gmt).time(includingFractionalSeconds: false).timeSeparator(.colon)
                : Date.ISO8601FormatStyle(timeZone: .gmt).month().day().dateSeparator(.dash)
            return (snapshot.oldestKeptPeriod...snapshot.period).map { period in
                let start = ScoringPeriods.start(of: period, periodSeconds: standings.periodSeconds).formatted(style)
                return (period, period == snapshot.period ? "open" : standings.periodSeconds < 86_400 ? String(start.prefix(5)) : start)
            }
        }

        /// A miner's mean in each period on `endpoint` (the open period's running mean last).
        func periodMeans(_ hotkey: String, endpoint: String) -> [Double?] {
            guard let snapshot else { return [] }
            let key = ScoreBook.Key(hotkey: hotkey, endpoint: endpoint)
            let history = Dictionary((snapshot.history[key] ?? []).map { ($0.period, $0.mean) }, uniquingKeysWith: { a, _ in a })
            return periodLabels.map { $0.period == snapshot.period ? snapshot.current[key].map(\.mean) : history[$0.period] }
        }

        func stateLabel(_ status: MinerStatus?) -> String {
            guard let status else { return "not in the metagraph" }
            switch status.state {
            case .healthy: return "healthy"
            case .coolingDown: return "cooling down until \(ConsoleFormat.time(status.coolingUntil))"
            }
        }
    }

    func minerPath(_ hotkey: String, subnet: AdminAPI.Subnet) -> String {
        let path = "/console/miners/" + ConsoleFormat.pathSegment(hotkey)
        return subnets.count > 1 ? path + "?subnet=" + ConsoleFormat.queryValue(subnet.name) : path
    }

    func chosenSubnet(_ request: Request) throws -> AdminAPI.Subnet {
        guard let subnet = try AdminAPI.subnet(named: request.uri.queryParameters.get("subnet"), in: subnets) else {
            throw APIError(.notFound, code: "no_subnet", message: "This node serves no subnet.")
        }
        return subnet
    }

    func minersPage(_ request: Request) async throws -> Response {
        struct Row: Sendable {
            let uid, hotkey, hotkeyShort, href, state, stateLabel, load, score, weight, weightU16: String
            let inMetagraph: Bool
            let endpointScores: [String]
        }
        struct HistoryChart: Sendable {
            let caption: String
            let chart: SVGMarkup
        }
        struct Body: Sendable {
            let subnet: String?
            let hasSubnetChoices: Bool
            let subnetChoices: [Choice]
            let periodSummary: String
            let endpointNames: [String]
            let rows: [Row]
            let weightsChart: SVGMarkup
            let historyCharts: [HistoryChart]
        }
        let session = try session(request)
        let subnet = try chosenSubnet(request)
        let view = await MinerView(subnet, now: clock.now())
        let endpointNames = Set((view.standings?.miners ?? []).flatMap { $0.endpoints.map(\.endpoint) })
            .union(view.standings?.endpointWeights.keys.map { $0 } ?? []).sorted()
        let rows = view.hotkeys.map { hotkey in
            let status = view.statuses[hotkey], standing = view.standing(hotkey)
            let uid = status?.uid ?? standing?.uid ?? 0
            let scores = Dictionary((standing?.endpoints ?? []).map { ($0.endpoint, $0.score) }, uniquingKeysWith: { a, _ in a })
            return Row(uid: "\(uid)", hotkey: hotkey, hotkeyShort: ConsoleFormat.hotkey(hotkey), href: minerPath(hotkey, subnet: subnet),
                       state: status?.state.rawValue ?? "absent", stateLabel: view.stateLabel(status),
                       load: status.map { "\($0.inFlight) / \($0.endpoints.map(\.capacity).reduce(0, +))" } ?? "—",
                       score: ConsoleFormat.score(standing?.score), weight: ConsoleFormat.percent(standing?.weight),
                       weightU16: view.u16(uid: uid).map(String.init) ?? "—", inMetagraph: standing?.inMetagraph ?? (status != nil),
                       endpointScores: endpointNames.map { ConsoleFormat.score(scores[$0]) })
        }
        let best = (view.standings?.miners ?? []).sorted { ($0.score, $1.uid) > ($1.score, $0.uid) }.prefix(Self.chartedMiners)
        let labels = view.periodLabels.map(\.label)
        let charted = endpointNames.filter { endpoint in best.contains { view.periodMeans($0.hotkey, endpoint: endpoint).contains { $0 != nil } } }
        let charts = charted.map { endpoint in
            HistoryChart(caption: "Period means on \(endpoint)",
                         chart: SVGChart(title: "Period means on \(endpoint)",
                                         summary: "Each line is a miner's mean score per scoring period on \(endpoint); the last point is the open period.",
                                         labels: labels,
                                         series: best.map { .init(name: "uid \($0.uid)", values: view.periodMeans($0.hotkey, endpoint: endpoint)) },
                                         style: .line, format: { String(format: "%.2f", $0) })
                            .render(id: "history-\(endpoint)"))
        }
        let shares = (view.weights?.normalized ?? []).sorted { $0.uid < $1.uid }
        let weightsChart = SVGChart(title: "Normalised weight by miner", summary: "One bar per uid: its share of the weights that would be set now.",
                                    labels: shares.map { "uid \($0.uid)" }, series: [.init(name: "", values: shares.map(\.weight))],
                                    style: .stackedBars, format: { ConsoleFormat.percent($0) }).render(id: "weights")
        let periodSummary = view.standings.map {
            "Period \($0.period) opened \(ConsoleFormat.time($0.periodStart)); periods last \(ConsoleFormat.seconds($0.periodSeconds)), "
                + "the score is the mean of the last \($0.periodsKept) (scaled down below \($0.minimumPeriods))."
        } ?? "This node keeps no scores."
        let body = Body(subnet: subnets.count > 1 ? subnet.name : nil, hasSubnetChoices: subnets.count > 1,
                        subnetChoices: subnets.map { Choice(value: $0.name, label: $0.name, selected: $0.name == subnet.name) },
                        periodSummary: periodSummary, endpointNames: endpointNames, rows: rows, weightsChart: weightsChart, historyCharts: charts)
        return try page("miners", title: "Miners", section: .miners, session: session, body: body)
    }

    func minerPage(_ request: Request, hotkey: String) async throws -> Response {
        struct Capacity: Sendable {
            let endpoint, inFlight, capacity, source, declared: String
        }
        struct Standing: Sendable {
            let endpoint, share, score, periodsKept, latest, current, rounds: String
        }
        struct Round: Sendable {
            let time, endpoint, traffic, verdict, role, outcome, score, reason, latency: String
        }
        struct Body: Sendable {
            let backHref, uid, hotkey, state, stateLabel, url, inFlight, consecutiveFailures, successes, failures, recentScore: String
            let score, weight, weightU16: String
            let periodsKept: Int
            let capacities: [Capacity]
            let standings: [Standing]
            let periodChart, roundsChart: SVGMarkup
            let rounds: [Round]
        }
        let session = try session(request)
        let subnet = try chosenSubnet(request)
        let view = await MinerView(subnet, now: clock.now())
        let status = view.statuses[hotkey], standing = view.standing(hotkey)
        let rounds = try await store.recentRounds(limit: Self.scannedRounds).compactMap { round -> (RoundRecord, MinerRoundResult)? in
            round.results.first { $0.miner.hotkey == hotkey }.map { (round, $0) }
        }.prefix(Self.minerRounds)
        guard status != nil || standing != nil || !rounds.isEmpty else {
            throw APIError(.notFound, code: "miner_not_found", message: "No miner with the hotkey '\(hotkey.prefix(64))' is known to this node.")
        }
        let uid = status?.uid ?? standing?.uid ?? rounds.first?.1.miner.uid ?? 0
        let endpoints = (standing?.endpoints ?? []).map(\.endpoint)
        let periodChart = SVGChart(title: "Period means of miner \(uid)",
                                   summary: "One line per endpoint: the miner's mean score in each scoring period; the last point is the open period.",
                                   labels: view.periodLabels.map(\.label),
                                   series: endpoints.map { .init(name: $0, values: view.periodMeans(hotkey, endpoint: $0)) },
                                   style: .line, format: { String(format: "%.2f", $0) }).render(id: "miner-periods")
        let scored = rounds.reversed().filter { $0.1.score != nil }
        let roundEndpoints = Set(scored.map(\.0.endpoint)).sorted()
        let timeStyle = Date.ISO8601FormatStyle(timeZone: .gmt).time(includingFractionalSeconds: false).timeSeparator(.colon)
        let roundsChart = SVGChart(title: "Scores of miner \(uid) in its latest rounds",
                                   summary: "One point per scored round, oldest first, one line per endpoint.",
                                   labels: scored.map { $0.0.createdAt.formatted(timeStyle) },
                                   series: roundEndpoints.map { endpoint in
                                       .init(name: endpoint, values: scored.map { $0.0.endpoint == endpoint ? $0.1.score : nil })
                                   },
                                   style: .line, format: { String(format: "%.3f", $0) }).render(id: "miner-rounds")
        let body = Body(
            backHref: subnets.count > 1 ? "/console/miners?subnet=" + ConsoleFormat.queryValue(subnet.name) : ConsoleSection.miners.path,
            uid: "\(uid)", hotkey: hotkey, state: status?.state.rawValue ?? "absent", stateLabel: view.stateLabel(status),
            url: status?.url ?? "—", inFlight: status.map { "\($0.inFlight)" } ?? "—",
            consecutiveFailures: status.map { "\($0.consecutiveFailures)" } ?? "—", successes: status.map { "\($0.successes)" } ?? "—",
            failures: status.map { "\($0.failures)" } ?? "—", recentScore: ConsoleFormat.score(status?.recentScore),
            score: ConsoleFormat.score(standing?.score), weight: ConsoleFormat.percent(standing?.weight),
            weightU16: view.u16(uid: uid).map(String.init) ?? "0", periodsKept: view.standings?.periodsKept ?? 0,
            capacities: (status?.endpoints ?? []).map {
                Capacity(endpoint: $0.endpoint, inFlight: "\($0.inFlight)", capacity: "\($0.capacity)", source: $0.source,
                         declared: $0.declared.map(String.init) ?? "—")
            },
            standings: (standing?.endpoints ?? []).map {
                Standing(endpoint: $0.endpoint, share: ConsoleFormat.percent($0.endpointWeight), score: ConsoleFormat.score($0.score),
                         periodsKept: "\($0.periodsKept)", latest: ConsoleFormat.score($0.latestPeriodMean),
                         current: ConsoleFormat.score($0.currentPeriodMean), rounds: "\($0.currentPeriodRounds)")
            },
            periodChart: periodChart, roundsChart: roundsChart,
            rounds: rounds.map { round, result in
                Round(time: ConsoleFormat.time(round.createdAt), endpoint: round.endpoint, traffic: round.isOrganic ? "organic" : "synthetic",
                      verdict: round.verdict.text, role: result.role?.rawValue ?? "answer", outcome: result.outcome.label, score: ConsoleFormat.score(result.score),
                      reason: result.reason ?? "", latency: ConsoleFormat.seconds(result.latencySeconds))
            })
        return try page("miner", title: "Miner \(uid)", section: .miners, session: session, body: body)
    }
}
