import Foundation
import Logging
import ServiceLifecycle

/// Marks this instance alive in the shared database every `interval`, and releases the open
/// reservations of instances that stopped heartbeating (killed, lost their connection) for
/// longer than ``PostgresKeyStore/deadAfterSeconds``, so their held credits come back without
/// waiting for that instance to restart.
struct InstanceHeartbeat: Service {
    let store: PostgresKeyStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var beats = 0
            while !Task.isCancelled {
                do {
                    try await store.heartbeat()
                    beats += 1
                    if beats % 6 == 0 {
                        let released = try await store.releaseDeadInstancesReservations(now: Date())
                        if released > 0 {
                            logger.notice("released credit reservations of a stopped instance", metadata: ["count": "\(released)"])
                        }
                    }
                } catch {
                    logger.warning("instance heartbeat failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
