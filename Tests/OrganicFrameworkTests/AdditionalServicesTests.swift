import Logging
@testable import OrganicFramework
import OrganicTestKit
import ServiceLifecycle
import TextEmbeddingPlugin
import Testing

/// An application's own services (`OrganicNode.additionalServices`) live in the node's group.
@Suite("Additional services")
struct AdditionalServicesTests {
    /// Records its start, then its stop once graceful shutdown reaches it.
    struct ProbeService: Service {
        let events: Locked<[String]>

        func run() async throws {
            events.withLock { $0.append("started") }
            try? await gracefulShutdown()
            events.withLock { $0.append("stopped") }
        }
    }

    @Test("an application's service starts with the node and is stopped by the node's shutdown")
    func runsWithTheNode() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.auth.enabled = false
        let events = Locked<[String]>([])
        var node = try OrganicNode(configuration: configuration, plugins: [try TextEmbeddingPlugin()],
                                   logger: Logger(label: "test-node", factory: { _ in SwiftLogNoOpLogHandler() }))
        node.additionalServices = [ProbeService(events: events)]
        let runner = try await node.makeRunner()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await runner.run() }
            _ = await runner.addresses()
            #expect(await eventually { events.withLock { $0 } == ["started"] })
            await runner.shutdown()
            try await tasks.waitForAll()
        }
        #expect(events.withLock { $0 } == ["started", "stopped"])
    }
}
