import Foundation
import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

@Suite("Admin API")
struct AdminAPITests {
    @Test("bad query parameters get 400 with the field")
    func badQuery() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            let reply = try await net.admin("/admin/scores?window_seconds=-5")
            #expect(reply.status == 400)
            #expect(reply.errorField == "window_seconds")
            let rounds = try await net.admin("/admin/rounds?limit=0")
            #expect(rounds.status == 400)
            let ok = try await net.admin("/admin/scores")
            #expect(ok.status == 200)
        }
    }
}
