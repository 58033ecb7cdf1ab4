import Foundation
import Logging
import ServiceLifecycle

/// Builds the scoring pipeline of a node from its configuration: the score book (restored
/// from the database), its persistence service, the score board and the weight-setting loop.
struct ScoringAssembly {
    /// One subnet's scoring: its board (its endpoints' shares over its metagraph) and, when
    /// weights are on, the loop that sets them.
    struct Subnet {
        let name: String
        let settings: ScoringSettings
        let board: ScoreBoard
        let weightService: WeightSettingService?
    }

    /// What one subnet brings: its checked scoring settings, its scoped configuration, the
    /// selector holding its metagraph and its chain weight setter.
    struct Input {
        let name: String
        let configuration: NodeConfiguration
        let settings: ScoringSettings
        let selector: MinerSelector
        let chainSetter: (any WeightSetter)?
        /// The subnet's endpoints.
        let endpoints: Set<String>
    }

    /// One book for every endpoint of the node (endpoint names are unique across subnets).
    let book: ScoreBook
    /// Must run after the database's resource service in the group (so that it stops before
    /// the database closes) and before the round executor (so that it stops after the last
    /// round has recorded its scores).
    let periodService: ScoringPeriodService
    let subnets: [Subnet]

    /// Inputs come checked (``OrganicNode`` checks them before anything starts). A subnet's
    /// `chainSetter` (`setWeights`), when given, replaces the `weights.setter` choice.
    static func make(_ inputs: [Input], stores: NodeStores, clock: any NodeClock, logger: Logger,
                     metrics: NodeMetrics? = nil) async throws -> ScoringAssembly {
        guard let first = inputs.first else { throw ConfigurationError("the node serves no subnet") }
        let book = ScoreBook(periodSeconds: first.settings.periodSeconds, periodsKept: first.settings.periodsKept, now: clock.now())
        let periodService = ScoringPeriodService(book: book, store: stores.periods,
                                                 flushInterval: first.settings.flushInterval, clock: clock, logger: logger)
        try await periodService.restore()
        var subnets: [Subnet] = []
        for input in inputs {
            let selector = input.selector
            var board = ScoreBoard(book: book, settings: input.settings, clock: clock, endpoints: inputs.count > 1 ? input.endpoints : nil,
                                   metagraph: { selector.current })
            if let shared = stores.periods as? PostgresPeriodStore {
                board.shared = SharedScoreWindow(book: book, store: shared, logger: logger)
            }
            let w = input.configuration.weights
            var weightService: WeightSettingService?
            if w.enabled {
                let setter: any WeightSetter
                if let chainSetter = input.chainSetter {
                    setter = chainSetter
                } else {
                    switch w.setter {
                    case .record:
                        // The default subnet keeps the historical file name; others get their own.
                        let fileName = input.name == SubnetPlan.defaultName ? "weights.json" : "weights-\(input.name).json"
                        let file = w.outputPath.isEmpty
                            ? stores.directory.appendingPathComponent(fileName)
                            : input.name == SubnetPlan.defaultName ? URL(fileURLWithPath: w.outputPath)
                            : URL(fileURLWithPath: w.outputPath).deletingLastPathComponent().appendingPathComponent(fileName)
                        setter = RecordingWeightSetter(store: stores.weights, fileURL: file)
                    case .log:
                        setter = LoggingWeightSetter(logger: logger)
                    }
                }
                var subnetLogger = logger
                subnetLogger[metadataKey: "subnet"] = "\(input.name)"
                weightService = WeightSettingService(board: board, setter: setter, interval: .seconds(double: w.intervalSeconds),
                                                     maxAttempts: w.maxAttempts, retryBase: .seconds(double: w.retryBaseSeconds),
                                                     clock: clock, logger: subnetLogger, metrics: metrics?.weights(subnet: input.name))
            }
            subnets.append(Subnet(name: input.name, settings: input.settings, board: board, weightService: weightService))
        }
        return ScoringAssembly(book: book, periodService: periodService, subnets: subnets)
    }

    /// The `weights:` settings, when weight setting is on.
    static func validateWeights(_ w: NodeConfiguration.Weights) throws(ConfigurationError) {
        guard w.enabled else { return }
        guard w.intervalSeconds.isFinite, w.intervalSeconds > 0 else { throw ConfigurationError("weights.intervalSeconds must be positive") }
        guard (1...20).contains(w.maxAttempts) else { throw ConfigurationError("weights.maxAttempts must be 1...20") }
        guard w.retryBaseSeconds.isFinite, w.retryBaseSeconds >= 0 else { throw ConfigurationError("weights.retryBaseSeconds must be >= 0") }
    }
}
