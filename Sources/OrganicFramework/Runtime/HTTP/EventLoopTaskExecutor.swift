import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Runs Swift tasks on a NIO event loop.
///
/// An endpoint's handler, and the round it starts, run on the loop of the caller's connection;
/// the miner's connection is then one of that loop's too (``MinerHTTPClients``), so a request
/// that waits on nothing else never wakes another thread. Each hand-over between a loop and the
/// cooperative pool costs a thread wake-up, which on an otherwise idle machine is the largest part
/// of the time the node adds to one request.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    private init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }

    /// One executor per loop, made when the loop is first seen; each holds its loop, so an
    /// identifier is never reused while it is here (groups have a fixed set of loops).
    private static let executors = Mutex<[ObjectIdentifier: EventLoopTaskExecutor]>([:])

    /// The executor of `eventLoop`.
    static func of(_ eventLoop: any EventLoop) -> EventLoopTaskExecutor {
        executors.withLock { executors in
            if let known = executors[ObjectIdentifier(eventLoop)] { return known }
            let made = EventLoopTaskExecutor(eventLoop)
            executors[ObjectIdentifier(eventLoop)] = made
            return made
        }
    }

    /// The executor of the loop this thread runs, or nil off the loops.
    static var current: EventLoopTaskExecutor? {
        MultiThreadedEventLoopGroup.currentEventLoop.map(of)
    }
}

/// Runs each job on the event loop whose thread makes it runnable, and on the global executor
/// when that thread is no loop's.
///
/// The public server's connection tasks run under it: a request read by a loop, and the answer
/// its handler hands back on that loop, continue on the same thread instead of waking a thread of
/// the cooperative pool and then the loop again to write.
final class EventLoopAffineExecutor: TaskExecutor {
    static let shared = EventLoopAffineExecutor()

    private init() {}

    func enqueue(_ job: consuming ExecutorJob) {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            loop.execute { job.runSynchronously(on: executor) }
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }
}

/// A service whose tasks run under a task executor preference (child tasks inherit it).
struct ExecutorPreferringService: Service {
    let inner: any Service
    let executor: any TaskExecutor

    func run() async throws {
        try await withTaskExecutorPreference(executor) { try await inner.run() }
    }
}
