import ServiceLifecycle

/// Holds a resource open while the node runs and closes it after everything that uses it
/// has stopped (services shut down in reverse order, so place it first).
struct ResourceService: Service {
    let name: String
    let close: @Sendable () async throws -> Void

    func run() async throws {
        // Close on graceful shutdown and on cancellation alike.
        try? await gracefulShutdown()
        try await close()
    }
}
