import Foundation
import Hummingbird

/// Requests, errors and credits summed from usage summaries, by day and endpoint.
struct UsageTotals: Sendable {
    struct Cell: Sendable {
        var requests = 0
        var errors = 0
        var credits = Credits.zero

        mutating func add(_ summary: UsageSummary) {
            requests += summary.requests
            errors += summary.requests - summary.successes
            credits = Credits(millis: credits.millis + summary.credits.millis)
        }

        mutating func add(_ other: Cell) {
            requests += other.requests
            errors += other.errors
            credits = Credits(millis: credits.millis + other.credits.millis)
        }
    }

    /// `[day: [endpoint: cell]]`.
    private(set) var cells: [String: [String: Cell]] = [:]

    init(_ summaries: [UsageSummary] = []) {
        add(summaries)
    }

    mutating func add(_ summaries: [UsageSummary]) {
        for summary in summaries { cells[summary.day, default: [:]][summary.endpoint, default: Cell()].add(summary) }
    }

    var endpoints: [String] { Set(cells.values.flatMap(\.keys)).sorted() }

    var total: Cell {
        var total = Cell()
        for cell in cells.values.flatMap(\.values) { total.add(cell) }
        return total
    }

    /// Stacked bars over `days`, one series per endpoint.
    func chart(days: [String], title: String, integral: Bool = true, value: (Cell) -> Double) -> SVGChart {
        SVGChart(title: title, summary: "\(title), one bar per UTC day from \(days.first ?? "") to \(days.last ?? ""), stacked by endpoint.",
                 labels: days.map { String($0.dropFirst(5)) },
                 series: endpoints.map { endpoint in
                     SVGChart.Series(name: endpoint, values: days.map { day in cells[day]?[endpoint].map(value) })
                 },
                 style: .stackedBars, integral: integral)
    }
}

/// Usage: requests, credits and errors per day, per key and per endpoint, over every key.
extension OperatorConsole {
    /// Keys whose usage the page sums (the most recently created), so that it stays quick.
    static let maxUsageKeys = 500
    static let usageDayChoices = [7, 14, 30, 90]
    static let topKeys = 10

    /// `YYYY-MM-DD` (UTC) of the `days` days ending today, oldest first.
    static func dayLabels(days: Int, now: Date) -> [String] {
        let today = SQLiteKeyStore.start(of: .day, containing: now)
        let style = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash)
        return (0..<days).reversed().map { today.addingTimeInterval(-Double($0) * 86_400).formatted(style) }
    }

    func usagePage(_ request: Request) async throws -> Response {
        struct Line: Sendable {
            let label, href, requests, errors, errorRate, credits: String
        }
        struct Body: Sendable {
            let dayChoices: [Choice]
            let days: Int
            let requests, errors, credits: String
            let keyCount: Int
            let truncated: Bool
            let topCount: Int
            let requestsChart, errorsChart, creditsChart, keysChart, endpointsChart: SVGMarkup
            let byKey: [Line]
            let byEndpoint: [Line]
        }
        let session = try session(request)
        let manager = try keyManager()
        let requested = request.uri.queryParameters.get("days", as: Int.self) ?? 14
        let days = Self.usageDayChoices.contains(requested) ? requested : 14
        let records = try await manager.store.keys().sorted { $0.createdAt > $1.createdAt }
        var totals = UsageTotals()
        var perKey: [(record: APIKeyRecord, cell: UsageTotals.Cell)] = []
        for record in records.prefix(Self.maxUsageKeys) {
            let report = try await manager.usage(id: record.id, days: days)
            totals.add(report.days)
            let cell = UsageTotals(report.days).total
            if cell.requests > 0 { perKey.append((record, cell)) }
        }
        perKey.sort { ($0.cell.requests, $0.record.id) > ($1.cell.requests, $1.record.id) }
        var perEndpoint: [String: UsageTotals.Cell] = [:]
        for (endpoint, cell) in totals.cells.values.flatMap({ $0 }) { perEndpoint[endpoint, default: .init()].add(cell) }
        func line(_ label: String, _ href: String, _ cell: UsageTotals.Cell) -> Line {
            Line(label: label, href: href, requests: "\(cell.requests)", errors: "\(cell.errors)",
                 errorRate: ConsoleFormat.share(cell.errors, of: cell.requests), credits: "\(cell.credits)")
        }
        func outcomes(_ title: String, _ labels: [String], _ cells: [UsageTotals.Cell]) -> SVGMarkup {
            SVGChart(title: title, summary: "\(title): succeeded and failed requests, stacked.", labels: labels,
                     series: [.init(name: "succeeded", values: cells.map { Double($0.requests - $0.errors) }),
                              .init(name: "failed", values: cells.map { Double($0.errors) })],
                     style: .stackedBars, integral: true).render(id: title.lowercased().replacingOccurrences(of: " ", with: "-"))
        }
        let labels = Self.dayLabels(days: days, now: clock.now())
        let top = Array(perKey.prefix(Self.topKeys))
        let endpoints = perEndpoint.sorted { $0.key < $1.key }
        let total = totals.total
        let body = Body(
            dayChoices: Self.usageDayChoices.map { Choice(value: "\($0)", label: "last \($0) days", selected: $0 == days) },
            days: days, requests: "\(total.requests)", errors: "\(total.errors)", credits: "\(total.credits)",
            keyCount: min(records.count, Self.maxUsageKeys), truncated: records.count > Self.maxUsageKeys, topCount: top.count,
            requestsChart: totals.chart(days: labels, title: "Requests per day", value: { Double($0.requests) }).render(id: "usage-requests"),
            errorsChart: totals.chart(days: labels, title: "Errors per day", value: { Double($0.errors) }).render(id: "usage-errors"),
            creditsChart: totals.chart(days: labels, title: "Credits charged per day", integral: false, value: { $0.credits.value }).render(id: "usage-credits"),
            keysChart: outcomes("Requests by key", top.map(\.record.name), top.map(\.cell)),
            endpointsChart: outcomes("Requests by endpoint", endpoints.map(\.key), endpoints.map(\.value)),
            byKey: perKey.map { line("\($0.record.name) (\($0.record.id))", Self.keyPath($0.record.id), $0.cell) },
            byEndpoint: endpoints.map { line($0.key, "", $0.value) })
        return try page("usage", title: "Usage", section: .usage, session: session, body: body)
    }
}
