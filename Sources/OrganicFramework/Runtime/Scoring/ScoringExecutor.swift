import NIOPosix

/// Dedicated threads for scoring work (reward functions: image decoding, perceptual hashes,
/// vector maths; tie-break comparisons). Swift tasks otherwise share the cooperative pool, one
/// thread per core, with every request the node serves: a burst of CPU-heavy rewards would
/// delay callers. Work here only competes with requests through the operating system's
/// scheduler, and `scoring.rewardThreads` bounds how many cores it can take. A reward that
/// suspends (to ask a checking service) resumes here too.
final class ScoringExecutor: TaskExecutor {
    private let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(threads, 1))
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        // A job runs even after shutdown began (on the thread that shuts down): dropping it
        // would leave its task suspended forever.
        pool.submit { _ in job.runSynchronously(on: executor) }
    }

    /// Stops the threads once queued work has run.
    func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
