import ArgumentParser
import AsyncHTTPClient
import Foundation
import OrganicFramework

/// `organic scores`: miners' recent scores, read from a running node's admin API.
struct ScoresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scores", abstract: "Show each miner's recent mean score per endpoint (from a running node).")

    @Option(help: "Admin API base URL of the running node.") var adminURL = "http://127.0.0.1:8081"
    @Option(help: "Window in seconds.") var window: Double = 3600
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() async throws {
        guard window > 0 else { throw ValidationError("--window must be positive") }
        let body = try await AdminClient.get("\(adminURL)/admin/scores?window_seconds=\(window)")
        if json {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        print(ScoreTable.render(try ScoreTable.decode(body)))
    }
}

/// Human-readable score table: one row per miner and endpoint, with the period-based score,
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
        var lines = [String(format: "%-5@ %-22@ %-18@ %6@ %7@ %6@ %7@ %6@ %8@ %9@ %7@", "UID", "HOTKEY", "ENDPOINT", "SCORE", "PERIODS",
                            "LATEST", "CURRENT", "ROUNDS", "FAILURES", "LATENCY", "WEIGHT")]
        func show(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "-" }
        for miner in standings.miners {
            let weight = miner.weight.map { String(format: "%.4f", $0) } ?? "-"
            let rows = miner.endpoints.isEmpty ? [nil] : miner.endpoints.map { Optional($0) }
            for (index, endpoint) in rows.enumerated() {
                let name = endpoint?.endpoint ?? "-"
                let summary = report.miners.first { $0.hotkey == miner.hotkey && $0.endpoint == name }
                lines.append(String(format: "%-5d %-22@ %-18@ %6@ %7@ %6@ %7@ %6@ %8@ %9@ %7@", Int(miner.uid), String(miner.hotkey.prefix(22)),
                                    String(name.prefix(18)), show(endpoint?.score), endpoint.map { "\($0.periodsKept)" } ?? "0",
                                    show(endpoint?.latestPeriodMean), show(endpoint?.currentPeriodMean),
                                    summary.map { "\($0.rounds)" } ?? "-", summary.map { "\($0.failures)" } ?? "-",
                                    summary.map { String(format: "%.3fs", $0.meanLatencySeconds) } ?? "-",
                                    index == 0 ? weight : ""))
            }
        }
        if standings.miners.isEmpty && report.miners.isEmpty { lines.append("(no miners scored yet)") }
        lines.append(String(format: "period %lld, %.0f s long; score = mean of the last %d period means (penalised below %d periods)",
                            standings.period, standings.periodSeconds, standings.periodsKept, standings.minimumPeriods))
        return lines.joined(separator: "\n")
    }

    /// The table of nodes without period scoring: round means over the window.
    static func renderRounds(_ report: ScoreReport) -> String {
        var lines = [String(format: "%-5@ %-22@ %-18@ %7@ %7@ %8@ %9@", "UID", "HOTKEY", "ENDPOINT", "SCORE", "ROUNDS", "FAILURES", "LATENCY")]
        for m in report.miners {
            lines.append(String(format: "%-5d %-22@ %-18@ %7.3f %7d %8d %8.3fs", Int(m.uid), String(m.hotkey.prefix(22)),
                                String(m.endpoint.prefix(18)), m.meanScore, m.rounds, m.failures, m.meanLatencySeconds))
        }
        if report.miners.isEmpty { lines.append("(no scored rounds in the last \(Int(report.windowSeconds)) s)") }
        return lines.joined(separator: "\n")
    }
}

/// Minimal GET client for the admin API.
enum AdminClient {
    static func get(_ url: String) async throws -> Data {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
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
