import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps this node's key cache in step with changes made by other instances on the shared
/// PostgreSQL database: `LISTEN organic_key_changes` (a change is seen as soon as the changing
/// transaction commits), and, as the fallback for a notification lost while the listening
/// connection was down, a re-check every `recheck` of the keys whose `changed_at` moved. A
/// change therefore reaches every instance within `recheck` plus one query at worst.
struct KeyChangeFeed: Service {
    let storage: PostgresStorage
    let recheck: Duration
    /// Drops the key from the caches (``KeyAuthenticator/invalidate(keyID:)``, rate limits).
    let onChange: @Sendable (String) -> Void
    /// Slack for transactions that committed a change stamped before the previous re-check read.
    static let slackSeconds = 5.0

    func run() async throws {
        let since = Locked<Double?>(nil)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await listen(since: since) }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: recheck)
                        guard !Task.isCancelled else { return }
                        await recheckChanges(since: since)
                    }
                }
                await group.waitForAll()
            }
        }
    }

    func listen(since: Locked<Double?>) async {
        while !Task.isCancelled {
            do {
                try await storage.client.withConnection { connection in
                    try await connection.listen(on: PostgresKeyStore.changeChannel) { notifications in
                        // Whatever changed while no connection listened.
                        await recheckChanges(since: since)
                        for try await notification in notifications { onChange(notification.payload) }
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                storage.logger.warning("key change notifications interrupted; retrying (periodic re-checks continue)", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Invalidates every key changed since the last re-check (less the slack).
    func recheckChanges(since: Locked<Double?>) async {
        do {
            let from = since.withLock { $0 }
            let rows = try await storage.rows("""
                SELECT extract(epoch from clock_timestamp())::double precision AS now,
                       array(SELECT id FROM api_keys WHERE changed_at >= \(from ?? .infinity) - \(Self.slackSeconds)) AS ids
                """)
            guard let row = rows.first else { return }
            let (now, ids) = try row.decode((Double, [String]).self)
            for id in ids { onChange(id) }
            since.withLock { $0 = max($0 ?? now, now) }
        } catch {
            storage.logger.warning("key re-check failed", metadata: ["error": "\(error)"])
        }
    }
}
