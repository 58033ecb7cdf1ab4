import Synchronization

/// Where each uid's score comes from in the ``ScoreWindow``: the metagraph's uids (ascending,
/// the first neuron of a uid), the window row of each one's hotkey, and the endpoint columns
/// that count with their shares. Looking hotkeys up is most of the work after the sums, and it
/// changes only with the metagraph or the window's rows, so a board keeps its last plan.
struct WeightPlan: Sendable {
    var uids: [UInt16] = []
    /// Window row per uid; -1 for a hotkey without a counted period.
    var rows: [Int] = []
    /// Columns with a positive share, in endpoint name order (the order their terms are summed in).
    var columns: [Int] = []
    var shares: [Double] = []

    /// What the plan was made from, to know when it is stale.
    private var neurons: [Neuron] = []
    private var layout: UInt64 = 0
    private var endpointCount = 0

    init() {}

    init(metagraph: Metagraph, window: ScoreWindow, endpointWeights: [String: Double], endpoints: Set<String>?) {
        neurons = metagraph.neurons
        layout = window.layout
        endpointCount = window.endpoints.count
        let sorted = metagraph.neurons.sorted { $0.uid < $1.uid }
        uids.reserveCapacity(sorted.count)
        rows.reserveCapacity(sorted.count)
        for neuron in sorted where uids.last.map({ $0 < neuron.uid }) ?? true {
            uids.append(neuron.uid)
            rows.append(window.rows[neuron.hotkey] ?? -1)
        }
        for (name, column) in window.columns.sorted(by: { $0.key < $1.key }) {
            guard endpoints?.contains(name) ?? true, let share = endpointWeights[name], share > 0 else { continue }
            columns.append(column)
            shares.append(share)
        }
    }

    /// Whether the plan still describes `metagraph` over `window` (the metagraph compares by
    /// identity first, so an unchanged one costs nothing).
    func fits(_ metagraph: Metagraph, _ window: ScoreWindow) -> Bool {
        layout == window.layout && endpointCount == window.endpoints.count && neurons == metagraph.neurons
    }

    /// `Σ share × endpoint score` per uid of the plan, in the plan's order.
    func scores(_ window: ScoreWindow, minimumPeriods: Int) -> [Double] {
        let width = window.width
        return [Double](unsafeUninitializedCapacity: rows.count) { buffer, initialized in
            window.totals.withUnsafeBufferPointer { totals in
                window.counts.withUnsafeBufferPointer { counts in
                    for (i, row) in rows.enumerated() {
                        var score = 0.0
                        if row >= 0 {
                            for (column, share) in zip(columns, shares) {
                                let cell = row * width + column
                                score += share * ScoreCalculator.endpointScore(total: totals[cell], counted: counts[cell],
                                                                               minimumPeriods: minimumPeriods).score
                            }
                        }
                        buffer[i] = score
                    }
                }
            }
            initialized = rows.count
        }
    }
}

/// A board's last ``WeightPlan``.
final class WeightPlanCache: Sendable {
    private let last = Mutex(WeightPlan())

    func plan(for metagraph: Metagraph, window: ScoreWindow, endpointWeights: [String: Double], endpoints: Set<String>?) -> WeightPlan {
        if let plan = last.withLock({ $0.fits(metagraph, window) ? $0 : nil }) { return plan }
        let plan = WeightPlan(metagraph: metagraph, window: window, endpointWeights: endpointWeights, endpoints: endpoints)
        last.withLock { $0 = plan }
        return plan
    }
}
