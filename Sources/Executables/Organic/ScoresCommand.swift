import ArgumentParser
import AsyncHTTPClient
import Foundation
import OrganicFramework

/// `organic scores`: miners' recent scores, read from a running node's admin API.
struct ScoresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scores", abstract: "Show each miner's recent mean score per endpoint (from a running node).")

    @Option(help: "Admin API base URL of the running node.") var adminURL = "http://127.0.0.1:8081"
    @Option(help: "Admin token (default: ORGANIC_ADMIN_TOKEN); required when the node has one.") var adminToken: String?
    @Option(help: "Window in seconds.") var window: Double = 3600
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() async throws {
        guard window > 0 else { throw ValidationError("--window must be positive") }
        let body = try await AdminClient.get("\(adminURL)/admin/scores?window_seconds=\(window)", token: adminToken)
        if json {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        print(ScoreTable.render(try ScoreTable.decode(body)))
    }
}

/// Human-readable score table: one row per miner and endpoint, with the mean round score over
/// the window, the period-based score,
/// the periods kept, the latest completed period's mean, the open period's running mean, the
/// round counts of the window and the miner's final normalised weight.
enum ScoreTable {
    /// Decodes `GET /admin/scores` (dates are ISO 8601).
    static func decode(_ body: Data) throws -> ScoreReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ScoreReport.self, from: body)
    }

    static func render(_ report: ScoreReport) -> String {
        guard let standings = report.standings else { return renderRounds(report) }
        var table = TextTable(["UID", "HOTKEY", "ENDPOINT", "MEAN", "SCORE", "PERIODS", "LATEST", "CURRENT", "ROUNDS", "FAILURES",
                               "LATENCY", "WEIGHT"], leftAligned: 3)
        func show(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "-" }
        for miner in standings.miners {
            let weight = miner.weight.map { String(format: "%.4f", $0) } ?? "-"
            let rows = miner.endpoints.isEmpty ? [nil] : miner.endpoints.map { Optional($0) }
            for (index, endpoint) in rows.enumerated() {
                let name = endpoint?.endpoint ?? "-"
                let summary = report.miners.first { $0.hotkey == miner.hotkey && $0.endpoint == name }
                table.add(["\(miner.uid)", String(miner.hotkey.prefix(22)), name, show(summary?.meanScore), show(endpoint?.score),
                           endpoint.map { "\($0.periodsKept)" } ?? "0", show(endpoint?.latestPeriodMean), show(endpoint?.currentPeriodMean),
                           summary.map { "\($0.rounds)" } ?? "-", summary.map { "\($0.failures)" } ?? "-",
                           summary.map { String(format: "%.3fs", $0.meanLatencySeconds) } ?? "-", index == 0 ? weight : ""])
            }
        }
        var lines = [table.render()]
        if standings.miners.isEmpty && report.miners.isEmpty { lines.append("(no miners scored yet)") }
        lines.append(String(format: "MEAN: round scores in the last %.0f s. SCORE: mean of up to %d completed %.0f-s period means", report.windowSeconds,
                            standings.periodsKept, standings.periodSeconds)
                     + " (scaled down below \(standings.minimumPeriods) periods). WEIGHT: normalised, before u16.")
        return lines.joined(separator: "\n")
    }

    /// The table of nodes without period scoring: round means over the window.
    static func renderRounds(_ report: ScoreReport) -> String {
        var table = TextTable(["UID", "HOTKEY", "ENDPOINT", "SCORE", "ROUNDS", "FAILURES", "LATENCY"], leftAligned: 3)
        for m in report.miners {
            table.add(["\(m.uid)", String(m.hotkey.prefix(22)), m.endpoint, String(format: "%.3f", m.meanScore), "\(m.rounds)",
                       "\(m.failures)", String(format: "%.3fs", m.meanLatencySeconds)])
        }
        var text = table.render()
        if report.miners.isEmpty { text += "\n(no scored rounds in the last \(Int(report.windowSeconds)) s)" }
        return text
    }
}

/// Columns padded to their widest cell; the first `leftAligned` columns align left, the rest right.
struct TextTable {
    let header: [String]
    let leftAligned: Int
    var rows: [[String]] = []

    init(_ header: [String], leftAligned: Int) {
        self.header = header
        self.leftAligned = leftAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: max(widths[column] - cell.count, 0))
                return column < leftAligned ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// Minimal GET client for the admin API.
enum AdminClient {
    /// GETs an admin route, presenting `token` (else `ORGANIC_ADMIN_TOKEN`) when there is one.
    static func get(_ url: String, token: String?) async throws -> Data {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: url)
        if let token = token ?? ProcessInfo.processInfo.environment["ORGANIC_ADMIN_TOKEN"], !token.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let buffer = try await response.body.collect(upTo: 16 << 20)
            try await client.shutdown()
            guard response.status.code == 200 else {
                throw ValidationError("admin API answered \(response.status.code): \(String(buffer: buffer))")
            }
            return Data(buffer.readableBytesView)
        } catch let error as ValidationError {
            throw error
        } catch {
            try? await client.shutdown()
            throw ValidationError("cannot reach the node's admin API at \(url): \(error). Is the node running?")
        }
    }
}
