import NIOCore
import NIOPosix
import Synchronization

/// Runs Swift tasks on a NIO event loop.
///
/// A public connection's task (``LoopBoundHTTP1Channel``), and the rounds its requests start, run
/// on the loop of the caller's connection; the miner's connection is then one of that loop's too
/// (``MinerHTTPClients``), so between the request's head and its answer no other thread is
/// woken. Each hand-over between a loop and the cooperative pool costs a thread wake-up, the
/// largest part of the time the node adds to one request on an otherwise idle machine. Only
/// tasks the node starts for a request run here: blocking code must not.
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

