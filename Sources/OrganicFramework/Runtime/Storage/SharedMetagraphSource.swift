import Foundation
import Logging
import PostgresNIO

/// A subnet's metagraph shared through PostgreSQL (table `shared_metagraphs`): the leader reads
/// its real source and publishes what it read; followers read the published copy, and read
/// the real source themselves only while nothing recent is published (no leader yet, or a
/// leader that stopped refreshing for more than ``staleAfterRefreshes`` intervals).
struct SharedMetagraphSource: MetagraphSource {
    let inner: any MetagraphSource
    let storage: PostgresStorage
    let subnet: String
    let leadership: Leadership

    static let staleAfterRefreshes = 3.0

    var refreshInterval: Duration? { inner.refreshInterval }

    func fetch() async throws -> Metagraph {
        if !leadership.isLeader, let published = try await published() { return published }
        let metagraph = try await inner.fetch()
        if leadership.isLeader { try await publish(metagraph) }
        return metagraph
    }

    func publish(_ metagraph: Metagraph) async throws {
        let body = String(decoding: try JSONEncoder().encode(metagraph), as: UTF8.self)
        try await storage.client.query("""
            INSERT INTO shared_metagraphs (subnet, metagraph, published_at) VALUES (\(subnet), \(body), extract(epoch from clock_timestamp()))
            ON CONFLICT (subnet) DO UPDATE SET metagraph = excluded.metagraph, published_at = excluded.published_at
            """, logger: storage.logger)
    }

    /// The copy the leader published, unless it is stale.
    func published() async throws -> Metagraph? {
        let maxAge = (refreshInterval?.seconds ?? 0) * Self.staleAfterRefreshes
        let rows = try await storage.rows("""
            SELECT metagraph FROM shared_metagraphs
            WHERE subnet = \(subnet) AND published_at >= extract(epoch from clock_timestamp()) - \(maxAge)
            """)
        guard let body = try rows.first?.decode(String.self) else { return nil }
        return try JSONDecoder().decode(Metagraph.self, from: Data(body.utf8))
    }
}
