import Foundation
import Logging
import ServiceLifecycle

/// Builds the scoring pipeline of a node from its configuration: the score book (restored
/// from the database), its persistence service, the score board and the weight-setting loop.
struct ScoringAssembly {
    let settings: ScoringSettings
    let book: ScoreBook
    let board: ScoreBoard
    /// Must run after the database's resource service in the group (so that it stops before
    /// the database closes) and before the round executor (so that it stops after the last
    /// round has recorded its scores).
    let periodService: ScoringPeriodService
    let weightService: WeightSettingService?

    /// `settings` and `configuration.weights` come checked (``OrganicNode`` checks them before
    /// anything starts). `chainSetter`, when given (`chain.setWeights`), replaces the
    /// `weights.setter` choice.
    static func make(configuration: NodeConfiguration, settings: ScoringSettings, database: SQLiteDatabase, selector: MinerSelector,
                     clock: any NodeClock, logger: Logger, chainSetter: (any WeightSetter)? = nil) async throws -> ScoringAssembly {
        let book = ScoreBook(periodSeconds: settings.periodSeconds, periodsKept: settings.periodsKept, now: clock.now())
        let periodService = ScoringPeriodService(book: book, store: SQLitePeriodStore(database: database),
                                                 flushInterval: settings.flushInterval, clock: clock, logger: logger)
        try await periodService.restore()
        let board = ScoreBoard(book: book, settings: settings, clock: clock, metagraph: { selector.current })

        let w = configuration.weights
        var weightService: WeightSettingService?
        if w.enabled {
            let setter: any WeightSetter
            switch w.setter {
            case _ where chainSetter != nil:
                setter = chainSetter ?? LoggingWeightSetter(logger: logger)
            case "record":
                let file = w.outputPath.isEmpty
                    ? URL(fileURLWithPath: database.path).deletingLastPathComponent().appendingPathComponent("weights.json")
                    : URL(fileURLWithPath: w.outputPath)
                setter = RecordingWeightSetter(database: database, fileURL: file)
            case "log":
                setter = LoggingWeightSetter(logger: logger)
            default:
                setter = LoggingWeightSetter(logger: logger)  // unreachable: validateWeights checked the name
            }
            weightService = WeightSettingService(board: board, setter: setter, interval: .seconds(double: w.intervalSeconds),
                                                 maxAttempts: w.maxAttempts, retryBase: .seconds(double: w.retryBaseSeconds),
                                                 clock: clock, logger: logger)
        }
        return ScoringAssembly(settings: settings, book: book, board: board, periodService: periodService, weightService: weightService)
    }

    /// The `weights:` settings, when weight setting is on.
    static func validateWeights(_ w: NodeConfiguration.Weights) throws(ConfigurationError) {
        guard w.enabled else { return }
        guard w.intervalSeconds.isFinite, w.intervalSeconds > 0 else { throw ConfigurationError("weights.intervalSeconds must be positive") }
        guard (1...20).contains(w.maxAttempts) else { throw ConfigurationError("weights.maxAttempts must be 1...20") }
        guard w.retryBaseSeconds.isFinite, w.retryBaseSeconds >= 0 else { throw ConfigurationError("weights.retryBaseSeconds must be >= 0") }
        guard ["record", "log"].contains(w.setter) else { throw ConfigurationError("weights.setter must be 'record' or 'log', got '\(w.setter)'") }
    }
}
