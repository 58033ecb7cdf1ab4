/// What every (hotkey, endpoint) brings to its score: the sum and number of the period means
/// that count (completed periods of the window `[period - K, period - 1]` with rounds and a
/// finite mean), laid out densely, one row per hotkey and one column per endpoint.
///
/// The score book keeps it in step with its history: a key's cell is summed again only when
/// that key's periods change (a period frozen, the oldest dropped, a restore), in the same order
/// and with the same filter as ``ScoreCalculator/endpointScore(_:currentPeriod:periodsKept:minimumPeriods:)``,
/// so the weights read from it are bit-for-bit those of the period lists, at the price of one
/// pass over arrays instead of a walk over every period of every key.
struct ScoreWindow: Sendable {
    /// The open period; the window is the `periodsKept` periods before it.
    var period: Int64
    /// Column of each endpoint, assigned on first sight.
    private(set) var columns: [String: Int] = [:]
    private(set) var endpoints: [String] = []
    /// Row of each hotkey with at least one counted period.
    private(set) var rows: [String: Int] = [:]
    /// Cells per row (`endpoints.count`, grown by re-layout when an endpoint appears).
    private(set) var width = 0
    /// Sum of the counted period means and their number, at `row * width + column`.
    private(set) var totals: [Double] = []
    private(set) var counts: [Int] = []
    /// Cells with a count per row; a row with none is freed for the next new hotkey.
    private var liveCells: [Int] = []
    private var freeRows: [Int] = []
    /// Changes whenever a row changes hands, so that cached hotkey → row lookups know to look again.
    private(set) var layout: UInt64 = 0

    init(period: Int64) {
        self.period = period
    }

    /// Sums `periods` (oldest first, as the book keeps them) into `key`'s cell.
    mutating func update(_ key: ScoreBook.Key, periods: [PeriodMean]?, periodsKept: Int) {
        let oldest = period - Int64(periodsKept)
        var total = 0.0
        var n = 0
        for p in periods ?? [] where p.period >= oldest && p.period < period && p.rounds > 0 && p.mean.isFinite {
            total += p.mean
            n += 1
        }
        guard n > 0 || rows[key.hotkey] != nil else { return }
        let column = column(of: key.endpoint)
        let row = row(of: key.hotkey)
        let cell = row * width + column
        liveCells[row] += (n > 0 ? 1 : 0) - (counts[cell] > 0 ? 1 : 0)
        totals[cell] = total
        counts[cell] = n
        if liveCells[row] == 0 { free(row, hotkey: key.hotkey) }
    }

    private mutating func column(of endpoint: String) -> Int {
        if let column = columns[endpoint] { return column }
        let column = endpoints.count
        columns[endpoint] = column
        endpoints.append(endpoint)
        relayout(width: column + 1)
        return column
    }

    private mutating func row(of hotkey: String) -> Int {
        if let row = rows[hotkey] { return row }
        layout &+= 1
        let row: Int
        if let reused = freeRows.popLast() {
            row = reused
        } else {
            row = liveCells.count
            liveCells.append(0)
            totals.append(contentsOf: repeatElement(0, count: width))
            counts.append(contentsOf: repeatElement(0, count: width))
        }
        rows[hotkey] = row
        return row
    }

    private mutating func free(_ row: Int, hotkey: String) {
        layout &+= 1
        rows[hotkey] = nil
        freeRows.append(row)
    }

    /// Widens every row to `newWidth` cells (a new endpoint; rare).
    private mutating func relayout(width newWidth: Int) {
        var newTotals = [Double](repeating: 0, count: liveCells.count * newWidth)
        var newCounts = [Int](repeating: 0, count: liveCells.count * newWidth)
        for row in liveCells.indices {
            for column in 0..<width {
                newTotals[row * newWidth + column] = totals[row * width + column]
                newCounts[row * newWidth + column] = counts[row * width + column]
            }
        }
        totals = newTotals
        counts = newCounts
        width = newWidth
    }
}
