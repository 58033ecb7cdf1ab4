import Dispatch
import NIOCore
import NIOPosix
@testable import OrganicFramework
import OrganicTestKit
import Synchronization
import Testing

/// A streamed body must not run ahead of its connection's event loop: Hummingbird queues every
/// write there without waiting, so only a wait on the loop lets a full socket hold the writer back.
@Suite("Write pacing")
struct WritePacerTests {
    final class Progress: Sendable {
        let steps = Atomic<Int>(0)
        func reached(_ step: Int) { steps.store(step, ordering: .relaxed) }
        var step: Int { steps.load(ordering: .relaxed) }
    }

    @Test("once a window of bytes is outstanding, the writer waits until the loop has run everything queued before")
    func waitsForTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        // The loop is busy, as it is when writes pile up faster than it runs them.
        let busy = DispatchSemaphore(value: 0)
        loop.execute { busy.wait() }
        let progress = Progress()
        let writer = Task {
            var pacer = WritePacer(eventLoop: loop, window: 100)
            try await pacer.wrote(99)
            progress.reached(1)
            try await pacer.wrote(1)
            progress.reached(2)
            try await pacer.wrote(99)
            progress.reached(3)
        }
        #expect(await eventually { progress.step == 1 }, "less than a window went on without waiting")
        try await Task.sleep(for: .milliseconds(200))
        #expect(progress.step == 1, "a full window went on while the loop was still busy")
        busy.signal()
        #expect(await eventually { progress.step == 3 }, "the writer did not go on once the loop caught up")
        try await writer.value
        try await group.shutdownGracefully()
    }

    @Test("without a connection's loop to wait for, it never waits")
    func noLoop() async throws {
        var pacer = WritePacer(eventLoop: nil, window: 1)
        for _ in 0..<1_000 { try await pacer.wrote(1 << 20) }
    }
}
