import ArgumentParser
import Foundation
import OrganicFramework

/// `organic weights --dry-run`: the u16 weight vector a running node would set now.
struct WeightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Show the weight vector the running node would set now (u16, as the chain takes it).",
        discussion: "The node sets weights itself on its schedule (weights.intervalSeconds); this command only reads.")

    @Option(help: "Admin API base URL of the running node.") var adminURL = "http://127.0.0.1:8081"
    @Option(help: "Admin token (default: ORGANIC_ADMIN_TOKEN); required when the node has one.") var adminToken: String?
    @Flag(help: "Print the vector without setting it (the only mode for now).") var dryRun = false
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() async throws {
        guard dryRun else {
            throw ValidationError("weights are set by the running node on its schedule; use --dry-run to see the vector it would set")
        }
        let body = try await AdminClient.get("\(adminURL)/admin/weights", token: adminToken)
        if json {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let report = try decoder.decode(WeightReport.self, from: body)
        print(WeightTable.render(report))
    }
}

/// Human-readable weight vector.
enum WeightTable {
    static func render(_ report: WeightReport) -> String {
        guard !report.uids.isEmpty else { return "(no miner has a score yet: nothing would be set)" }
        let shares = Dictionary(report.normalized.map { ($0.uid, $0.weight) }, uniquingKeysWith: { a, _ in a })
        var table = TextTable(["UID", "U16", "NORMALISED"], leftAligned: 1)
        for (uid, weight) in zip(report.uids, report.weights) {
            table.add(["\(uid)", "\(weight)", shares[uid].map { String(format: "%.5f", $0) } ?? "-"])
        }
        var lines = [table.render()]
        lines.append("uids:    \(report.uids)")
        lines.append("weights: \(report.weights)")
        return lines.joined(separator: "\n")
    }
}
