import Foundation
import Logging

/// A simulated subnet for judging the scoring: in-process miners of configurable kinds answer
/// synthetic rounds sent by the node's real dispatcher, scored by the real reward, tie-breaks,
/// score book, periods and weight code, on a clock the caller moves (a manual clock: a simulated
/// day takes seconds).
package enum ScoringSimulation {
    package struct Configuration: Sendable {
        package var miners = 256
        /// Share of the miners that cut corners, mixed over the faulty kinds.
        package var faultyShare = 0.3
        /// Share of the miners in one colluding group (part of the faulty share).
        package var colludingGroupShare = 0.05
        /// Colluding pairs (part of the faulty share).
        package var colludingPairs = 4
        package var duration: Duration = .seconds(86_400)
        /// Simulated time between two batches of synthetic rounds.
        package var roundInterval: Duration = .seconds(1)
        package var roundsPerInterval = 2
        package var minersPerQuery = 2
        package var tieBreaks = TieBreakSettings()
        package var periodSeconds = 600.0
        package var periodsKept = 30
        package var minimumPeriods = 3
        package var seed: UInt64 = 19
        /// Whether the endpoint treats identical answers from two miners as copies. Off, the
        /// tie-breaks rely on majorities alone, as they must against colluders that add their own
        /// noise to a shared wrong answer.
        package var identicalAnswersAreCopies = true

        package init() {}
    }

    /// Which kind of miner holds each uid, and each colluder's group.
    package static func population(_ configuration: Configuration) -> [(kind: SimulatedMinerKind, group: Int)] {
        let n = max(configuration.miners, 0)
        let faulty = min(Int((Double(n) * configuration.faultyShare).rounded()), n)
        let groupSize = min(Int((Double(n) * configuration.colludingGroupShare).rounded()), faulty)
        let pairs = min(configuration.colludingPairs, (faulty - groupSize) / 2)
        var kinds: [(kind: SimulatedMinerKind, group: Int)] = []
        kinds += [(kind: SimulatedMinerKind, group: Int)](repeating: (.colludingGroup, 0), count: groupSize >= 2 ? groupSize : 0)
        for pair in 0..<pairs { kinds += [(.colludingPair, pair + 1), (.colludingPair, pair + 1)] }
        let others: [SimulatedMinerKind] = [.wrong, .lazy, .slow, .flaky]
        var next = 0
        while kinds.count < faulty {
            kinds.append((others[next % others.count], 0))
            next += 1
        }
        kinds += [(kind: SimulatedMinerKind, group: Int)](repeating: (.honest, 0), count: n - kinds.count)
        var random = OrganicRandom(seed: configuration.seed)
        kinds.shuffle(using: &random)
        return kinds
    }

    /// Runs the simulation; `advance` moves `clock` forward (a ``NodeClock`` the caller controls).
    package static func run(_ configuration: Configuration, clock: any NodeClock, advance: @Sendable (Duration) -> Void) async -> SimulationReport {
        let population = population(configuration)
        let neurons = population.indices.map { uid in
            Neuron(uid: UInt16(uid), hotkey: "sim-hotkey-\(uid)", coldkey: "sim-coldkey-\(uid)", url: "sim://miner-\(uid)")
        }
        let metagraph = Metagraph(neurons: neurons)
        var random = OrganicRandom(seed: configuration.seed)
        let network = SimulatedMinerNetwork(
            kinds: Dictionary(uniqueKeysWithValues: zip(neurons, population).map { ($0.hotkey, (kind: $1.kind, group: $1.group)) }),
            seed: random.next())
        let endpoint = SimulationEndpoint(identicalAnswersAreCopies: configuration.identicalAnswersAreCopies)
        let name = SimulationEndpoint.name
        let settings = ScoringSettings(periodSeconds: configuration.periodSeconds, periodsKept: configuration.periodsKept,
                                       minimumPeriods: configuration.minimumPeriods, endpointWeights: [name: 1],
                                       tieBreaks: configuration.tieBreaks)
        let selector = MinerSelector(metagraph: metagraph, clock: clock, random: random.split())
        let book = ScoreBook(periodSeconds: settings.periodSeconds, periodsKept: settings.periodsKept, now: clock.now())
        let store = SimulationScoreStore(kinds: Dictionary(uniqueKeysWithValues: zip(neurons.map(\.hotkey), population.map(\.kind))))
        let executor = RoundExecutor()
        let dispatcher = QueryDispatcher(
            transport: network, selector: selector, executor: executor, store: store, clock: clock,
            settings: DispatchSettings(minersPerQuery: configuration.minersPerQuery, retries: 0, tieBreaks: configuration.tieBreaks),
            random: random.split(), logger: Logger(label: "organic.simulation", factory: { _ in SwiftLogNoOpLogHandler() }), scoreBook: book)
        let route = EndpointRoute(endpoint: endpoint, pluginName: "simulation", descriptor: endpoint.descriptor)
        let running = Task { try? await executor.run() }
        defer { running.cancel() }

        let honest = population.indices.filter { population[$0].kind == .honest }
        let faulty = population.indices.filter { population[$0].kind.isFaulty }
        let colluders = population.indices.filter { [.colludingPair, .colludingGroup].contains(population[$0].kind) }
        var lastUnseparated = 0
        var evaluations = 0
        var colluderOutranks = 0
        var weights = [Double](repeating: 0, count: neurons.count)
        var submitted = 0
        let ticks = Int((configuration.duration / configuration.roundInterval).rounded(.down))
        var context = SyntheticContext(random: random.split())
        for _ in 0..<ticks {
            for _ in 0..<configuration.roundsPerInterval {
                guard let request = endpoint.makeSyntheticRequest(context: &context) else { continue }
                if await dispatcher.dispatchSynthetic(request, task: name, route: route, maxWait: .zero) { submitted += 1 }
            }
            await store.waitFor(submitted)
            advance(configuration.roundInterval)
            if book.advance(to: clock.now()) {
                evaluations += 1
                weights = currentWeights(book: book, metagraph: metagraph, settings: settings, clock: clock)
                let lowestHonest = honest.map { weights[$0] }.min() ?? 0
                if (faulty.map { weights[$0] }.max() ?? 0) >= lowestHonest { lastUnseparated = evaluations }
                if !colluders.isEmpty, (colluders.map { weights[$0] }.max() ?? 0) >= lowestHonest { colluderOutranks += 1 }
            }
        }
        let scores = ScoreCalculator.minerScores(book.snapshot(at: clock.now()), endpointWeights: settings.endpointWeights,
                                                 minimumPeriods: settings.minimumPeriods)
        var rows: [SimulationReport.KindRow] = []
        for kind in SimulatedMinerKind.allCases {
            let members = population.indices.filter { population[$0].kind == kind }
            guard !members.isEmpty else { continue }
            let count = Double(members.count)
            rows.append(SimulationReport.KindRow(
                kind: kind, miners: members.count,
                meanScore: members.map { scores[neurons[$0].hotkey] ?? 0 }.reduce(0, +) / count,
                meanWeight: members.map { weights[$0] }.reduce(0, +) / count))
        }
        let tally = store.tally
        return SimulationReport(
            tieBreaks: configuration.tieBreaks,
            minerResults: population.indices.map { (population[$0].kind, scores[neurons[$0].hotkey] ?? 0, weights[$0]) },
            miners: neurons.count, rows: rows,
            rankCorrelation: RankCorrelation.spearman(weights, population.map(\.kind.honesty)),
            separationPeriods: lastUnseparated < evaluations ? lastUnseparated + 1 : nil, colluderOutranks: colluderOutranks,
            periods: evaluations, rounds: tally.rounds, inconclusiveRounds: tally.inconclusive,
            honestLosses: tally.honestLosses, tieBreakRounds: tally.tieBreaks.values.reduce(0, +), refereeQueries: tally.refereeQueries, answererQueries: tally.answererQueries)
    }

    /// Every uid's normalised weight (0 when it has none), computed as the node computes it.
    static func currentWeights(book: ScoreBook, metagraph: Metagraph, settings: ScoringSettings, clock: any NodeClock) -> [Double] {
        let now = clock.now()
        let board = ScoreBoard(book: book, settings: settings, clock: clock, metagraph: { metagraph })
        let report = board.weights(book.window(at: now), metagraph: metagraph, at: now)
        var weights = [Double](repeating: 0, count: metagraph.neurons.count)
        for share in report.normalized where Int(share.uid) < weights.count { weights[Int(share.uid)] = share.weight }
        return weights
    }
}
