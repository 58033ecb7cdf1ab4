import ServiceLifecycle

/// Work that the executor runs to completion: one query round.
protocol RoundJob: Sendable {
    func run() async
}

/// Runs every query round in one structured task group that the node's service group owns.
///
/// A caller gets the first valid answer while the round keeps collecting the other miners'
/// answers for scoring, so rounds outlive HTTP requests; running them here (not in detached
/// tasks) means a graceful shutdown stops taking new rounds and waits for those in flight.
final class RoundExecutor: Service {
    /// A round and the request it serves (its logs name the request).
    private typealias Submission = (job: any RoundJob, scope: RequestScope?)
    private let stream: AsyncStream<Submission>
    private let continuation: AsyncStream<Submission>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Queues a round; false once the executor is shutting down.
    func submit(_ job: any RoundJob) -> Bool {
        if case .enqueued = continuation.yield((job, RequestScope.current)) { return true }
        return false
    }

    func run() async throws {
        let stream = self.stream
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await (job, scope) in stream {
                    group.addTask { await RequestScope.$current.withValue(scope) { await job.run() } }
                }
            }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()
        }
    }
}
