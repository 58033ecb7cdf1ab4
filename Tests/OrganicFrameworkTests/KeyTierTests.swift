import Foundation
import Logging
@testable import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// A key's tier: only configured tiers are accepted (key manager, admin JSON, console, CLI), and
/// a stored tier the configuration no longer names is served as standard with a warning.
@Suite("Key tiers", .serialized)
struct KeyTierTests {
    static let weights: [String: Double] = ["standard": 1, "priority": 4]

    func manager(tiers: Set<KeyTier>? = KeyTier.accepted(in: Self.weights)) throws -> KeyManager {
        KeyManager(store: SQLiteKeyStore(database: try SQLiteDatabase(path: KeyStoreTests.temporaryPath())), clock: ManualNodeClock(), tiers: tiers)
    }

    func refusal<T>(_ body: () async throws -> T) async -> APIError? {
        do { _ = try await body() } catch let error as APIError { return error } catch { return nil }
        return nil
    }

    @Test("creating and changing a key accepts configured tiers and standard, and refuses others with 400 unknown_tier")
    func managerValidates() async throws {
        let keys = try manager()
        let priority = try await keys.create(KeyCreation(name: "p", tier: KeyTier(rawValue: "priority")))
        #expect(priority.record.tier == KeyTier(rawValue: "priority"))
        #expect(try await keys.show(id: priority.record.id).record.metadata["tier"] == "priority", "stored where tiers always were")
        #expect(try await keys.create(KeyCreation(name: "s", tier: .standard)).record.tier == .standard)
        #expect(try await keys.create(KeyCreation(name: "none")).record.tier == nil)
        #expect(try await keys.create(KeyCreation(name: "legacy", metadata: ["tier": "priority"])).record.tier == KeyTier(rawValue: "priority"))

        for creation in [KeyCreation(name: "g", tier: KeyTier(rawValue: "gold")), KeyCreation(name: "m", metadata: ["tier": "gold"])] {
            let error = try #require(await refusal { try await keys.create(creation) })
            #expect(error.status == .badRequest && error.code == "unknown_tier" && error.field == "tier")
            #expect(error.message.contains("priority, standard"), "names what is configured")
        }
        let conflict = await refusal { try await keys.create(KeyCreation(name: "c", tier: .standard, metadata: ["tier": "priority"])) }
        #expect(conflict?.code == "invalid_value")
        #expect(try await keys.list().keys.count == 4, "nothing was stored for the refused keys")

        let changed = try await keys.update(id: priority.record.id, KeyChanges(tier: .standard))
        #expect(changed.record.tier == .standard)
        let refused = await refusal { try await keys.update(id: priority.record.id, KeyChanges(tier: KeyTier(rawValue: "gold"))) }
        #expect(refused?.code == "unknown_tier")
        #expect(try await keys.show(id: priority.record.id).record.tier == .standard)
        #expect(try await keys.update(id: priority.record.id, KeyChanges(name: "renamed")).record.tier == .standard, "absent: unchanged")

        // A manager without configured tiers still refuses names no configuration could hold.
        let open = try manager(tiers: nil)
        #expect(try await open.create(KeyCreation(name: "any", tier: KeyTier(rawValue: "gold"))).record.tier == KeyTier(rawValue: "gold"))
        #expect(await refusal { try await open.create(KeyCreation(name: "bad", tier: KeyTier(rawValue: "no spaces"))) }?.code == "invalid_value")
    }

    @Test("both backends keep a key's tier, and read back one no longer configured", arguments: StoreBackend.all)
    func stored(_ backend: StoreBackend) async throws {
        let database = try await TestDatabase.make(backend)
        let first = try await database.open()
        let keys = KeyManager(store: first.keys, clock: ManualNodeClock(), tiers: [.standard, KeyTier(rawValue: "gold")])
        let gold = try await keys.create(KeyCreation(name: "gold", tier: KeyTier(rawValue: "gold")))
        let moved = try await keys.create(KeyCreation(name: "moved"))
        _ = try await keys.update(id: moved.record.id, KeyChanges(tier: KeyTier(rawValue: "gold")))
        try await first.close()

        // Reopened by a node whose configuration no longer names gold: read as stored, never an error.
        let second = try await database.open()
        let reopened = KeyManager(store: second.keys, clock: ManualNodeClock(), tiers: KeyTier.accepted(in: Self.weights))
        #expect(try await reopened.show(id: gold.record.id).record.tier == KeyTier(rawValue: "gold"))
        #expect(try await reopened.list().keys.compactMap(\.record.tier).count == 2)
        #expect(try await second.keys.key(id: moved.record.id)?.tier == KeyTier(rawValue: "gold"))
        try await second.close()
    }

    @Test("a stored tier no longer configured is served at the standard weight; a node warns about it at start")
    func unconfiguredStoredTier() throws {
        #expect(KeyTier.weight(of: KeyTier(rawValue: "priority"), in: Self.weights) == 4)
        #expect(KeyTier.weight(of: KeyTier(rawValue: "gold"), in: ["standard": 2, "priority": 4]) == 2)
        #expect(KeyTier.weight(of: nil, in: ["standard": 2]) == 2)
        #expect(KeyTier.weight(of: KeyTier(rawValue: "gold"), in: ["priority": 4]) == 1, "no standard configured: weight 1")

        let logs = CapturedLogs()
        let logger = Logger(label: "tiers") { _ in CapturingLogHandler(records: logs) }
        var gold = APIKeyRecord(id: "key_gold", name: "g", displayPrefix: "org_live_x", createdAt: Date())
        gold.tier = KeyTier(rawValue: "gold")
        var priority = gold
        priority.id = "key_priority"
        priority.tier = KeyTier(rawValue: "priority")
        let plain = APIKeyRecord(id: "key_plain", name: "p", displayPrefix: "org_live_y", createdAt: Date())
        KeyTier.warnUnconfigured(in: [gold, priority, plain], accepted: KeyTier.accepted(in: Self.weights), logger: logger)
        #expect(logs.all.map { $0.metadata["key_id"] } == ["key_gold"])
        #expect(logs.all.first?.metadata["tier"] == "gold")
    }

    @Test("tier names in dispatch.queues.tierWeights are checked at start")
    func configuration() throws {
        for weights in [["a b": 1.0], ["": 1], [String(repeating: "t", count: 65): 1]] {
            var configuration = PluginHarness.testConfiguration()
            configuration.dispatch.queues.tierWeights = weights
            #expect(throws: ConfigurationError.self) { try OrganicNode.validated(configuration) }
        }
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.queues.tierWeights = ["gold-1": 3, "bronze_2": 1]
        #expect(try OrganicNode.validated(configuration).tierWeights["gold-1"] == 3)
    }

    @Test("admin JSON: an unknown tier is refused with 400 unknown_tier; a key whose stored tier is gone is still served")
    func adminAndServing() async throws {
        let plugin = try TextEmbeddingPlugin()
        try await PluginHarness.run(plugins: [plugin], miners: PluginHarness.honestMiners(1)) { net in
            let keys = net.adminURL + "/admin/keys"
            let unknown = try await net.adminClient.send("POST", keys, body: Data(#"{"name": "g", "tier": "gold"}"#.utf8))
            #expect(unknown.status == 400 && unknown.errorCode == "unknown_tier" && unknown.errorField == "tier")
            let viaMetadata = try await net.adminClient.send("POST", keys, body: Data(#"{"name": "g", "metadata": {"tier": "gold"}}"#.utf8))
            #expect(viaMetadata.errorCode == "unknown_tier")
            let notText = try await net.adminClient.send("POST", keys, body: Data(#"{"name": "g", "tier": 5}"#.utf8))
            #expect(notText.status == 400)

            let created = try await net.adminClient.send("POST", keys, body: Data(#"{"name": "p", "tier": "priority", "unlimited": true}"#.utf8))
            #expect(created.status == 201)
            let id = try #require(try Self.record(created)["id"] as? String)
            #expect((try Self.record(created)["metadata"] as? [String: String])?["tier"] == "priority")
            let patched = try await net.adminClient.send("PATCH", keys + "/\(id)", body: Data(#"{"tier": "gold"}"#.utf8))
            #expect(patched.status == 400 && patched.errorCode == "unknown_tier")
            let standard = try await net.adminClient.send("PATCH", keys + "/\(id)", body: Data(#"{"tier": "standard"}"#.utf8))
            #expect(standard.status == 200)
            #expect((try Self.record(standard)["metadata"] as? [String: String])?["tier"] == "standard")

            // A key written with a tier this node does not configure (another configuration, or
            // the tier was removed) decodes and is served, at the standard weight.
            let database = net.context.configuration.database.path
            let outside = KeyManager(store: SQLiteKeyStore(database: try SQLiteDatabase(path: database)), tiers: nil)
            let gold = try await outside.create(KeyCreation(name: "gold", unlimited: true, tier: KeyTier(rawValue: "gold")))
            try await outside.store.close()
            let body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["tier"], dimensions: 64))
            let served = try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings", body: body, headers: ["X-API-Key": gold.key])
            #expect(served.status == 200)
            #expect(try await net.context.keys?.show(id: gold.record.id).record.tier == KeyTier(rawValue: "gold"))
        }
    }

    @Test("console: the create and settings forms offer the configured tiers and refuse others; the page names a tier no longer configured")
    func console() async throws {
        let plugin = try TextEmbeddingPlugin()
        try await PluginHarness.run(plugins: [plugin], miners: PluginHarness.honestMiners(1)) { net in
            try await ConsoleBrowser.with(net.adminURL) { browser in
                let keys = try #require(net.context.keys)
                let session = try await browser.signIn()
                let list = try await browser.get("/console/keys", session: session)
                #expect(list.body.contains(#"<option value="priority">priority</option>"#))
                #expect(list.body.contains(#"<option value="standard" selected>standard</option>"#))
                let token = try #require(list.csrf)
                let created = try await browser.post("/console/keys", [("_csrf", token), ("name", "tiered"), ("tier", "priority")], session: session)
                let path = try #require(created.location)
                let id = String(path.split(separator: "/").last ?? "")
                #expect(try await keys.show(id: id).record.tier == KeyTier(rawValue: "priority"))

                _ = try await browser.post(path + "/settings", [("_csrf", token), ("name", "tiered"), ("enabled", "1"), ("tier", "gold")], session: session)
                #expect(try await keys.show(id: id).record.tier == KeyTier(rawValue: "priority"), "refused")
                #expect(try await browser.get(path, session: session).body.contains("not configured"))
                _ = try await browser.post(path + "/settings", [("_csrf", token), ("name", "tiered"), ("enabled", "1"), ("tier", "standard")], session: session)
                #expect(try await keys.show(id: id).record.tier == .standard)

                let outside = KeyManager(store: SQLiteKeyStore(database: try SQLiteDatabase(path: net.context.configuration.database.path)))
                let gold = try await outside.create(KeyCreation(name: "gold", tier: KeyTier(rawValue: "gold")))
                try await outside.store.close()
                let page = try await browser.get("/console/keys/\(gold.record.id)", session: session)
                #expect(page.body.contains("gold (not configured: served as standard)"))
                #expect(page.body.contains(#"<option value="standard" selected>standard</option>"#))
            }
        }
    }

    @Test("CLI: keys create --tier and keys tier accept configured tiers and refuse others", .enabled(if: OrganicExecutable.path != nil))
    func cli() async throws {
        let common = ["--offline", "--database", KeyStoreTests.temporaryPath(), "--json"]
        func organic(_ arguments: [String]) async throws -> ChildProcess.Result {
            try await ChildProcess.run(try #require(OrganicExecutable.path), arguments + common,
                                       environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()])
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let created = try await organic(["keys", "create", "--name", "cli", "--tier", "priority"])
        #expect(created.status == 0, "\(created.errorText)")
        let key = try decoder.decode(CreatedKey.self, from: Data(created.outputText.utf8))
        #expect(key.record.tier == KeyTier(rawValue: "priority"))

        let unknown = try await organic(["keys", "create", "--name", "cli", "--tier", "gold"])
        #expect(unknown.status != 0)
        #expect(unknown.errorText.contains("tier 'gold' is not configured"))
        let changed = try await organic(["keys", "tier", key.record.id, "standard"])
        #expect(changed.status == 0, "\(changed.errorText)")
        #expect(try decoder.decode(KeyDetails.self, from: Data(changed.outputText.utf8)).record.tier == .standard)
        let refused = try await organic(["keys", "tier", key.record.id, "gold"])
        #expect(refused.status != 0 && refused.errorText.contains("not configured"))
    }

    static func record(_ reply: TestHTTPClient.Reply) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
        return try #require(object?["record"] as? [String: Any])
    }
}
