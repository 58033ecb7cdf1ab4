import Foundation
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import TextEmbeddingPlugin
import Testing
import VisionPlugin

/// API keys on the request path of a real node, over loopback HTTP.
@Suite("API keys end to end", .serialized)
struct KeysEndToEndTests {
    let embedding: TextEmbeddingPlugin
    let request = TextEmbeddingRequest(input: ["keys"], dimensions: 64)

    init() throws {
        embedding = try TextEmbeddingPlugin()
    }

    func call(_ net: PluginHarness.Network, headers: [String: String]) async throws -> TestHTTPClient.Reply {
        try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings", body: try JSONEncoder().encode(request), headers: headers)
    }

    /// Waits until nothing of the key is held any more (settlement follows the response write),
    /// and until `charges` charge lines are written when given.
    func settledBalance(_ net: PluginHarness.Network, _ id: String, charges: Int? = nil) async throws -> KeyDetails {
        for _ in 0..<200 {
            let details = try #require(try await net.context.keys?.show(id: id, ledgerLimit: 10_000))
            let ledger = details.ledger ?? []
            if details.held == .zero, charges.map({ c in ledger.filter { $0.kind == .charge }.count == c }) ?? true { return details }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("credits still held")
        return try #require(try await net.context.keys?.show(id: id, ledgerLimit: 10_000))
    }

    @Test("401 for missing, malformed, unknown, revoked and expired keys, each with its own code")
    func unauthorized() async throws {
        let clock = ManualNodeClock(start: Date())
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1), clock: clock) { net in
            let missing = try await call(net, headers: [:])
            #expect(missing.status == 401)
            #expect(missing.errorCode == "missing_api_key")
            #expect(missing.header("WWW-Authenticate") != nil)

            let good = try #require(net.apiKey)
            let checksumOff = String(good.dropLast()) + (good.hasSuffix("2") ? "3" : "2")
            let hostile = ["Basic dXNlcjpwYXNz", "Bearer", "Bearer " + checksumOff, "Bearer " + good + "x",
                           "Bearer " + String(repeating: "A", count: 4000), "Bearer org_live_' OR 1=1 --",
                           "Bearer org_live_ünïcødé", "Bearer " + good.uppercased()]
            for value in hostile {
                let reply = try await call(net, headers: ["Authorization": value])
                #expect(reply.status == 401, "\(value.prefix(40))")
                #expect(reply.errorCode == "malformed_api_key", "\(value.prefix(40))")
            }
            let unknown = try await call(net, headers: ["Authorization": "Bearer \(APIKeyFormat.generate())"])
            #expect(unknown.errorCode == "invalid_api_key")

            // X-API-Key works as well as Authorization.
            let viaHeader = try await call(net, headers: ["X-API-Key": good])
            #expect(viaHeader.status == 200)

            let doomed = try await net.createKey(KeyCreation(name: "doomed", unlimited: true))
            #expect(try await call(net, headers: ["X-API-Key": doomed.key]).status == 200)
            let revoked = try await net.adminClient.send("POST", net.adminURL + "/admin/keys/\(doomed.record.id)/revoke")
            #expect(revoked.status == 200)
            let afterRevoke = try await call(net, headers: ["X-API-Key": doomed.key])
            #expect(afterRevoke.status == 401)
            #expect(afterRevoke.errorCode == "revoked_api_key")

            let shortLived = try await net.createKey(KeyCreation(name: "short", unlimited: true, expiresInSeconds: 60))
            #expect(try await call(net, headers: ["X-API-Key": shortLived.key]).status == 200)
            clock.advance(by: .seconds(61))
            let expired = try await call(net, headers: ["X-API-Key": shortLived.key])
            #expect(expired.status == 401)
            #expect(expired.errorCode == "expired_api_key")
        }
    }

    @Test("403 outside the key's scopes, 402 without credit, 429 with rate-limit headers")
    func statuses() async throws {
        try await PluginHarness.run(plugins: [embedding, try VisionPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            let scoped = try await net.createKey(KeyCreation(name: "scoped", unlimited: true, scopes: ["text-to-image"]))
            let forbidden = try await call(net, headers: ["X-API-Key": scoped.key])
            #expect(forbidden.status == 403)
            #expect(forbidden.errorCode == "endpoint_not_allowed")
        }
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.endpoints["text-embeddings"] = {
            var o = NodeConfiguration.EndpointOverride()
            o.price = 1
            return o
        }()
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1), configuration: configuration) { net in
            let poor = try await net.createKey(KeyCreation(name: "poor", credits: 1.5))
            #expect(try await call(net, headers: ["X-API-Key": poor.key]).status == 200)
            let broke = try await call(net, headers: ["X-API-Key": poor.key])
            #expect(broke.status == 402)
            #expect(broke.errorCode == "insufficient_credits")
            // The credit check comes before validation (which may decode images): a key that
            // cannot pay learns that first, and the node does no expensive work for it.
            let invalid = try await net.anonymousClient.post(net.publicURL + "/v1/text-embeddings", raw: Data(#"{"input":[],"dimensions":64}"#.utf8),
                                                             headers: ["X-API-Key": poor.key])
            #expect(invalid.status == 402, "\(invalid.text)")
            let funded = try await net.createKey(KeyCreation(name: "funded", credits: 5))
            let rejected = try await net.anonymousClient.post(net.publicURL + "/v1/text-embeddings", raw: Data(#"{"input":[],"dimensions":64}"#.utf8),
                                                              headers: ["X-API-Key": funded.key])
            #expect(rejected.status == 400, "\(rejected.text)")
            #expect(try await settledBalance(net, funded.record.id).balance == Credits(5), "an invalid request's hold is released")
            #expect(try await settledBalance(net, poor.record.id).balance == Credits(0.5))

            let limited = try await net.createKey(KeyCreation(name: "limited", unlimited: true, rateLimits: ["2/min"]))
            let first = try await call(net, headers: ["X-API-Key": limited.key])
            #expect(first.status == 200)
            #expect(first.header("X-RateLimit-Limit") == "2")
            #expect(first.header("X-RateLimit-Remaining") == "1")
            #expect(try await call(net, headers: ["X-API-Key": limited.key]).status == 200)
            let third = try await call(net, headers: ["X-API-Key": limited.key])
            #expect(third.status == 429)
            #expect(third.errorCode == "rate_limited")
            #expect(Int(third.header("Retry-After") ?? "") ?? 0 >= 1)
            #expect(third.header("X-RateLimit-Remaining") == "0")
            #expect(third.header("X-RateLimit-Reset") != nil)

            // Usage is logged per key, day and endpoint, refusals included.
            // (Written by the settlement service within milliseconds.)
            #expect(try await eventually { try await net.context.keys?.usage(id: limited.record.id, days: 1).days.map(\.requests).reduce(0, +) == 3 })
            let usage = try #require(try await net.context.keys?.usage(id: limited.record.id, days: 1))
            #expect(usage.days.map(\.requests).reduce(0, +) == 3)
            #expect(usage.days.map(\.successes).reduce(0, +) == 2)
        }
    }

    @Test("2,000 concurrent requests on 1,000 credits charge exactly 1,000 and serve exactly as many")
    func concurrentCharging() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.endpoints["text-embeddings"] = {
            var o = NodeConfiguration.EndpointOverride()
            o.price = 1
            return o
        }()
        let miners = [LocalNetwork.MinerSpec(capacity: 4096), LocalNetwork.MinerSpec(capacity: 4096)]
        try await PluginHarness.run(plugins: [embedding], miners: miners, configuration: configuration) { net in
            let key = try await net.createKey(KeyCreation(name: "load", credits: 1000))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2000 {
                    group.addTask { try await call(net, headers: ["X-API-Key": key.key]).status }
                }
                return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            }
            let successes = statuses[200] ?? 0
            #expect(successes + (statuses[402] ?? 0) == 2000, "\(statuses)")
            let details = try await settledBalance(net, key.record.id, charges: successes)
            let charged = 1000 - details.balance.value
            #expect(Double(successes) == charged)
            #expect(successes == 1000)
            #expect(details.balance == .zero)
        }
    }

    @Test("a miner failure mid-request releases the credits it held")
    func failureRefunds() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.retries = 0
        let miners = [LocalNetwork.MinerSpec(faults: .alwaysError)]
        try await PluginHarness.run(plugins: [embedding], miners: miners, configuration: configuration) { net in
            let key = try await net.createKey(KeyCreation(name: "unlucky", credits: 10))
            let reply = try await call(net, headers: ["X-API-Key": key.key])
            #expect(reply.status == 502)
            let details = try await settledBalance(net, key.record.id)
            #expect(details.balance == Credits(10))
            #expect(details.ledger?.map(\.kind) == [.grant], "a request that is not charged writes no ledger line")
        }
    }

    @Test("the admin API needs its token, never lists secrets, and rotation replaces the secret at once")
    func adminAPI() async throws {
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1)) { net in
            let anonymous = try await net.anonymousClient.get(net.adminURL + "/admin/keys")
            #expect(anonymous.status == 401)
            #expect(anonymous.errorCode == "invalid_admin_token")
            let wrong = try await net.anonymousClient.send("GET", net.adminURL + "/admin/keys", headers: ["Authorization": "Bearer nope-nope-nope-nope"])
            #expect(wrong.status == 401)

            let body = try JSONEncoder().encode(KeyCreation(name: "api", credits: 3, rateLimits: ["100/s"], scopes: ["text-embeddings"]))
            let created = try await net.adminClient.send("POST", net.adminURL + "/admin/keys", body: body)
            #expect(created.status == 201)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let key = try decoder.decode(CreatedKey.self, from: created.body)
            #expect(try await call(net, headers: ["X-API-Key": key.key]).status == 200)

            let listing = try await net.adminClient.get(net.adminURL + "/admin/keys")
            #expect(listing.status == 200)
            #expect(!listing.text.contains(key.key))
            #expect(listing.text.contains(key.record.id))

            let badScope = try await net.adminClient.send("POST", net.adminURL + "/admin/keys",
                                                          body: Data(#"{"name": "x", "scopes": ["no-such-endpoint"]}"#.utf8))
            #expect(badScope.status == 400)
            #expect(badScope.errorField == "scopes")
            let missing = try await net.adminClient.get(net.adminURL + "/admin/keys/key_doesnotexist")
            #expect(missing.status == 404)
            #expect(missing.errorCode == "key_not_found")

            let credited = try await net.adminClient.send("POST", net.adminURL + "/admin/keys/\(key.record.id)/credits",
                                                          body: try JSONEncoder().encode(CreditChange(amount: 7, note: "invoice 12")))
            #expect(credited.status == 200)

            let rotated = try await net.adminClient.send("POST", net.adminURL + "/admin/keys/\(key.record.id)/rotate")
            let newKey = try decoder.decode(CreatedKey.self, from: rotated.body)
            #expect(newKey.key != key.key)
            #expect(try await call(net, headers: ["X-API-Key": key.key]).errorCode == "invalid_api_key")
            #expect(try await call(net, headers: ["X-API-Key": newKey.key]).status == 200)

            let shown = try decoder.decode(KeyDetails.self, from: try await net.adminClient.get(net.adminURL + "/admin/keys/\(key.record.id)").body)
            #expect(!String(decoding: try JSONEncoder().encode(shown), as: UTF8.self).contains(newKey.key))
            #expect(shown.record.rateLimits == [RateLimitRule(limit: 100, periodSeconds: 1)])

            let usage = try await net.adminClient.get(net.adminURL + "/admin/keys/\(key.record.id)/usage?days=7")
            #expect(usage.status == 200)
            #expect(usage.text.contains("text-embeddings"))
        }
    }

    @Test("a node killed with requests in flight restarts with balance and ledger consistent")
    func restartAfterCrash() async throws {
        let configuration = PluginHarness.testConfiguration()
        let id: String
        let secret: String
        do {
            // The state a kill leaves behind: credits held, never charged or released.
            let keys = KeyManager(store: SQLiteKeyStore(database: try SQLiteDatabase(path: configuration.database.path)))
            let created = try await keys.create(KeyCreation(name: "survivor", credits: 10))
            (id, secret) = (created.record.id, created.key)
            for _ in 0..<4 {
                _ = try await keys.store.reserve(id: id, amount: Credits(millis: 2000), endpoint: "text-embeddings", now: Date())
            }
            #expect(try await keys.store.heldInMemory(id: id) == Credits(8))
            #expect(try await keys.store.reserve(id: id, amount: Credits(millis: 3000), endpoint: "text-embeddings", now: Date())
                    == .insufficient(balance: Credits(millis: 2000)))
        }
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1), configuration: configuration) { net in
            let details = try await settledBalance(net, id)
            #expect(details.balance == Credits(10))
            #expect(details.ledger?.map(\.kind) == [.grant], "nothing was charged")
            let reply = try await call(net, headers: ["X-API-Key": secret])
            #expect(reply.status == 200)
        }
        #expect(try KeyStoreTests.ledgerIsConsistent(configuration.database.path))
    }

    @Test("with auth switched off the endpoints are open")
    func authDisabled() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.auth.enabled = false
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1), configuration: configuration) { net in
            let reply = try await call(net, headers: [:])
            #expect(net.apiKey == nil)
            #expect(reply.status == 200)
        }
    }
}
