import Hummingbird
import NIOCore
import Synchronization

/// Whether a request's handler has started reading its body (after which the body is the
/// handler's to finish, and an early answer needs no draining).
final class BodyReading: Sendable {
    private let flag = Atomic<Bool>(false)

    var started: Bool {
        get { flag.load(ordering: .relaxed) }
        set { flag.store(newValue, ordering: .relaxed) }
    }
}

/// Reading and discarding the body of a request answered before its body was read.
///
/// An HTTP/1.1 client may send its whole body before it reads the answer (Python's urllib,
/// curl in some modes). Answering early (401, 402, 413, 415, 503) without reading that body
/// leaves such a client blocked on a full socket until its own timeout. Up to ``limit`` bytes
/// within ``timeout`` are read and thrown away so that the client gets to the answer; anything
/// larger or slower makes the node close the connection after answering instead.
enum RequestBodyDrain {
    static let limit = 1 << 20
    static let timeout: Duration = .seconds(2)

    /// True when the whole body was read (the connection can stay open).
    static func discard(_ body: RequestBody, declaredLength: Int?) async -> Bool {
        if let declaredLength, declaredLength > limit { return false }
        let deadline = ContinuousClock.now + timeout
        do {
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    var read = 0
                    for try await chunk in body {
                        read += chunk.readableBytes
                        if read > limit { return false }
                    }
                    return true
                }
                group.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
        } catch {
            return false
        }
    }
}
