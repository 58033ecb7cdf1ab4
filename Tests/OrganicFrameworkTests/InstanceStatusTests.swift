import Foundation
@testable import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// `GET /admin/status` and `organic_leader` on a single SQLite node.
@Suite("Instance status")
struct InstanceStatusTests {
    @Test("a SQLite node is always the leader: /admin/status says so and organic_leader is 1")
    func sqliteLeads() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            let status = try await net.admin("/admin/status").decode(InstanceStatus.self)
            #expect(status.backend == "sqlite" && status.role == .leader && status.leader)
            #expect(try await net.admin("/metrics").text.contains("\n\(MetricName.leader) 1"))
        }
    }
}
