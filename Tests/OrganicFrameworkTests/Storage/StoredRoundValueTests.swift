import Foundation
@testable import OrganicFramework
import Testing

/// A round's outcome, verdict and role are stored as their text; text this version does not
/// know is refused when read, on every backend, rather than read as something else.
@Suite("Stored round values fail closed")
struct StoredRoundValueTests {
    static func round() -> RoundRecord {
        RoundRecord(endpoint: "e", isOrganic: true, createdAt: Date(timeIntervalSince1970: 1_800_000_000), verdict: .inconclusive("no majority"),
                    results: [MinerRoundResult(miner: MinerIdentity(uid: 1, hotkey: "alice"), outcome: .httpStatus(503), score: 0, reason: "busy",
                                               latencySeconds: 0.5, role: .referee)])
    }

    @Test("the stored text is the wire text: http_503, inconclusive: …, referee", arguments: StoreBackend.all)
    func storedAsText(_ backend: StoreBackend) async throws {
        let database = try await TestDatabase.make(backend)
        let stores = try await database.open()
        let round = Self.round()
        try await stores.scores.record(round)
        #expect(try await database.strings("SELECT outcome FROM round_results") == ["http_503"])
        #expect(try await database.strings("SELECT verdict FROM rounds") == ["inconclusive: no majority"])
        #expect(try await stores.scores.recentRounds(limit: 1) == [round])
        try await stores.close()
    }

    @Test("an unknown outcome, verdict or role in the database is an error naming it",
          arguments: StoreBackend.all, [
              "UPDATE round_results SET outcome = 'exploded'", "UPDATE round_results SET outcome = 'http_99'",
              "UPDATE rounds SET verdict = 'maybe'", "UPDATE round_results SET role = 'judge'",
          ])
    func unknownRefused(_ backend: StoreBackend, _ corruption: String) async throws {
        let database = try await TestDatabase.make(backend)
        let stores = try await database.open()
        try await stores.scores.record(Self.round())
        try await database.execute(corruption)
        await #expect(throws: UnknownStoredValue.self, "\(corruption)") { try await stores.scores.recentRounds(limit: 1) }
        try await stores.close()
    }
}
