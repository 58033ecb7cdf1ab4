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
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let report = try decoder.decode(ScoreReport.self, from: body)
        print(ScoreTable.render(report))
    }
}

/// Human-readable score table.
enum ScoreTable {
    static func render(_ report: ScoreReport) -> String {
        var lines = [row(["UID", "HOTKEY", "ENDPOINT", "SCORE", "ROUNDS", "FAILURES", "LATENCY"])]
        for m in report.miners {
            lines.append(row(["\(m.uid)", String(m.hotkey.prefix(22)), String(m.endpoint.prefix(18)), String(format: "%.3f", m.meanScore),
                              "\(m.rounds)", "\(m.failures)", String(format: "%.3fs", m.meanLatencySeconds)]))
        }
        if report.miners.isEmpty { lines.append("(no scored rounds in the last \(Int(report.windowSeconds)) s)") }
        return lines.joined(separator: "\n")
    }
}

/// Pads columns: the first three left-aligned, the rest right-aligned.
private func row(_ cells: [String]) -> String {
    let widths = [5, 22, 18, 7, 7, 9, 9]
    return zip(cells, widths).enumerated().map { index, pair in
        let (cell, width) = pair
        let padding = String(repeating: " ", count: max(0, width - cell.count))
        return index < 3 ? cell + padding : padding + cell
    }.joined(separator: " ")
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
