import Foundation
import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// Who may read the admin API.
@Suite("Admin API access")
struct AdminAccessTests {
    static let reportRoutes = ["/admin/scores", "/admin/weights", "/admin/rounds", "/admin/queues", "/admin/miners", "/admin/status"]

    @Test("with a token, every report needs it (Bearer or X-Admin-Token); health does not")
    func tokenGuardsReports() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            for route in Self.reportRoutes {
                let anonymous = try await net.anonymousClient.get(net.adminURL + route)
                #expect(anonymous.status == 401, "\(route)")
                #expect(try anonymous.decode(ErrorBody.self).error.code == "invalid_admin_token")
                let wrong = try await net.anonymousClient.send("GET", net.adminURL + route, headers: ["Authorization": "Bearer not-the-admin-token"])
                #expect(wrong.status == 401, "\(route)")
                #expect(try await net.admin(route).status == 200, "\(route)")
                let header = try await net.anonymousClient.send("GET", net.adminURL + route, headers: ["X-Admin-Token": PluginHarness.adminToken])
                #expect(header.status == 200, "\(route)")
            }
            #expect(try await net.anonymousClient.get(net.adminURL + "/admin/healthz").status == 200)
        }
    }

    @Test("without a token, reports stay open on loopback and key administration is refused")
    func noToken() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.admin.token = ""
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1), configuration: configuration) { net in
            for route in Self.reportRoutes {
                #expect(try await net.anonymousClient.get(net.adminURL + route).status == 200, "\(route)")
            }
            let keys = try await net.anonymousClient.get(net.adminURL + "/admin/keys")
            #expect(keys.status == 503)
            #expect(try keys.decode(ErrorBody.self).error.code == "admin_token_not_configured")
        }
    }

    @Test("a node will not expose a token-less admin API beyond loopback")
    func refusesPublicAdminWithoutToken() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.admin.token = ""
        configuration.admin.host = "0.0.0.0"
        await #expect(throws: ConfigurationError.self) {
            try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1), configuration: configuration) { _ in }
        }
    }

    struct ErrorBody: Decodable {
        struct Detail: Decodable { var code: String }
        var error: Detail
    }
}
