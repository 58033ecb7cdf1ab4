import Foundation
@testable import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// The `organic` executable of this build, when it has been built (`swift build --build-tests` builds it).
enum OrganicExecutable {
    static let path: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/organic").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    /// The `organic-miner` executable of this build, when it has been built.
    static let miner: String? = path.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("organic-miner").path }
        .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
}

/// `organic keys …`, run as the built executable: offline on a database file, and through a
/// running node's admin API.
@Suite("organic keys CLI", .serialized, .enabled(if: OrganicExecutable.path != nil))
struct KeysCommandTests {

    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    func organic(_ arguments: [String]) async throws -> Run {
        let result = try await ChildProcess.run(try #require(OrganicExecutable.path), arguments,
                                                environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()])
        return Run(status: result.status, output: result.outputText, error: result.errorText)
    }

    func json<T: Decodable>(_ type: T.Type, _ run: Run) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(run.output.utf8))
    }

    @Test("offline: create, list, credit, show, rotate, revoke and usage on the database file")
    func offline() async throws {
        let database = KeyStoreTests.temporaryPath()
        let common = ["--offline", "--database", database]
        let created = try await organic(["keys", "create", "--name", "cli", "--credits", "5", "--rate", "10/s,1000/day", "--expires", "30d", "--json"] + common)
        #expect(created.status == 0, "\(created.error)")
        let key = try json(CreatedKey.self, created)
        #expect(key.record.rateLimits.count == 2)
        #expect(key.record.expiresAt != nil)

        let human = try await organic(["keys", "list"] + common)
        #expect(human.status == 0)
        #expect(human.output.contains(key.record.id))
        #expect(!human.output.contains(key.key))

        let credited = try await organic(["keys", "credit", key.record.id, "2.5", "--note", "top-up", "--json"] + common)
        #expect(try json(CreditResult.self, credited).balance == Credits(7.5))
        #expect(try json(CreditResult.self, credited).entry.actor == "cli")
        #expect(try json(PaymentListing.self, try await organic(["keys", "payments", "--json"] + common)).payments.isEmpty)
        #expect(try await organic(["keys", "payments"] + common).output.contains("(no payments)"))

        let rotated = try json(CreatedKey.self, try await organic(["keys", "rotate", key.record.id, "--json"] + common))
        #expect(rotated.key != key.key)
        #expect(rotated.balance == Credits(7.5))

        let revoked = try json(KeyDetails.self, try await organic(["keys", "revoke", key.record.id, "--json"] + common))
        #expect(revoked.record.state == .revoked)

        let shown = try await organic(["keys", "show", key.record.id] + common)
        #expect(shown.output.contains("revoked"))
        #expect(shown.output.contains("top-up"))
        #expect(try await organic(["keys", "usage", key.record.id, "--json"] + common).status == 0)
    }

    @Test("invalid arguments get a clear message and a non-zero exit")
    func invalidArguments() async throws {
        let common = ["--offline", "--database", KeyStoreTests.temporaryPath()]
        for arguments in [["keys", "create"], ["keys", "create", "--name", "x", "--rate", "ten/s"],
                          ["keys", "create", "--name", "x", "--expires", "soon"], ["keys", "show", "key_missing"],
                          ["keys", "credit", "key_missing", "abc"], ["keys", "usage", "key_missing", "--days", "0"]] {
            let run = try await organic(arguments + common)
            #expect(run.status != 0, "\(arguments)")
            #expect(!run.error.isEmpty, "\(arguments)")
        }
    }

    @Test("with a node running the CLI goes through its admin API, and changes apply at once")
    func throughAdminAPI() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            let common = ["--admin-url", net.adminURL, "--admin-token", PluginHarness.adminToken, "--json"]
            let key = try json(CreatedKey.self, try await organic(["keys", "create", "--name", "via-api", "--credits", "3"] + common))
            let body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["cli"], dimensions: 64))
            let ok = try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings", body: body, headers: ["X-API-Key": key.key])
            #expect(ok.status == 200)
            let credited = try json(CreditResult.self, try await organic(["keys", "credit", key.record.id, "2", "--note", "by hand"] + common))
            #expect(credited.entry.actor == "cli" && credited.entry.note == "by hand" && credited.entry.amount == Credits(2))
            #expect(try json(PaymentListing.self, try await organic(["keys", "payments", "--limit", "5"] + common)).payments.isEmpty)
            #expect(try await organic(["keys", "revoke", key.record.id] + common).status == 0)
            let refused = try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings", body: body, headers: ["X-API-Key": key.key])
            #expect(refused.errorCode == "revoked_api_key")
            let noToken = try await organic(["keys", "list", "--admin-url", net.adminURL])
            #expect(noToken.status != 0)
            #expect(noToken.error.contains("admin token") || noToken.error.contains("ORGANIC_ADMIN_TOKEN"))
            // The node holds credits in memory: the file beside it is not written behind its back.
            let database = net.context.configuration.database.path
            let beside = try await organic(["keys", "credit", key.record.id, "1", "--offline", "--database", database])
            #expect(beside.status != 0)
            #expect(beside.error.contains("a node is serving \(database)"), "\(beside.error)")
        }
    }

    @Test("a second node on the same SQLite file is refused at start, and the file is free again once the first stops")
    func oneNodePerFile() async throws {
        let database = KeyStoreTests.temporaryPath()
        let first = try SQLiteServingLock.acquire(databasePath: database)
        #expect(throws: SQLiteServingLock.Held.self) { try SQLiteServingLock.acquire(databasePath: database) }
        #expect(SQLiteServingLock.isHeld(databasePath: database))
        first.release()
        first.release()  // twice: nothing
        #expect(!SQLiteServingLock.isHeld(databasePath: database))
        var configuration = PluginHarness.testConfiguration()
        configuration.database.path = database
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1), configuration: configuration) { _ in
            #expect(SQLiteServingLock.isHeld(databasePath: database))
            let second = try await organic(["keys", "list", "--offline", "--database", database])
            #expect(second.status != 0)
        }
        #expect(!SQLiteServingLock.isHeld(databasePath: database), "released when the node stopped")
    }
}
