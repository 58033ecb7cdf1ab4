import HTTPTypes
import Synchronization

/// What of one answer reached the client's socket: the body bytes written to it, and whether
/// the answer's end was.
struct FlushReport: Sendable, Equatable {
    var bodyBytes: Int
    var ended: Bool
}

/// Tells a paid answer's writer when its last byte has been written to the client's socket.
///
/// Hummingbird's response writer returns once a part is queued for the connection, not once it
/// is written: a node killed in between has charged for an answer the caller never got. A paid
/// answer carries an internal header with a token; ``ResponseFlushHandler``, next to the HTTP/1
/// encoder, strips it, follows that answer's writes and reports here which of them the socket
/// took. One per connection; everything still open is reported unended when the connection goes.
final class ResponseFlushes: Sendable {
    /// The internal header that marks an answer to follow (never sent).
    static let tokenHeader = HTTPField.Name("X-Organic-Flush")
    static let tokenHeaderName = "x-organic-flush"

    private struct State {
        var closed = false
        var nextToken: UInt64 = 0
        /// Answers being written: body bytes the socket took so far.
        var writing: [UInt64: Int] = [:]
        /// Answers done (ended or cut off) whose writer has not asked yet.
        var done: [UInt64: FlushReport] = [:]
        var waiters: [UInt64: @Sendable (FlushReport) -> Void] = [:]
    }

    private let state = Mutex(State())

    /// Marks an answer to follow: a new token, set in `headers`.
    func mark(_ headers: inout HTTPFields) -> UInt64? {
        guard let name = Self.tokenHeader else { return nil }
        let token = state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
        headers[name] = String(token)
        return token
    }

    /// Waits until the answer marked `token` has ended on the socket or been cut off.
    func report(for token: UInt64) async -> FlushReport {
        await withCheckedContinuation { continuation in
            whenReported(token) { continuation.resume(returning: $0) }
        }
    }

    /// Calls `reported` once the answer marked `token` has ended on the socket or been cut off:
    /// at once when that happened already, else on the connection's loop as it happens.
    func whenReported(_ token: UInt64, _ reported: @escaping @Sendable (FlushReport) -> Void) {
        let ready: FlushReport? = state.withLock { state in
            if let report = state.done.removeValue(forKey: token) { return report }
            if state.closed { return FlushReport(bodyBytes: state.writing.removeValue(forKey: token) ?? 0, ended: false) }
            state.waiters[token] = reported
            return nil
        }
        if let ready { reported(ready) }
    }

    /// What the socket took of `token`'s answer so far, without waiting; the answer is forgotten.
    func abandon(_ token: UInt64) -> FlushReport {
        state.withLock { state in
            state.done.removeValue(forKey: token) ?? FlushReport(bodyBytes: state.writing.removeValue(forKey: token) ?? 0, ended: false)
        }
    }

    // MARK: Reported by the connection's handler, in write order.

    func began(_ token: UInt64) {
        state.withLock { $0.writing[token] = 0 }
    }

    func wrote(_ token: UInt64, bytes: Int) {
        state.withLock { $0.writing[token, default: 0] += bytes }
    }

    func ended(_ token: UInt64, written: Bool) {
        let (waiter, report): ((@Sendable (FlushReport) -> Void)?, FlushReport) = state.withLock { state in
            let report = FlushReport(bodyBytes: state.writing.removeValue(forKey: token) ?? 0, ended: written)
            guard let waiter = state.waiters.removeValue(forKey: token) else {
                if !state.closed || written { state.done[token] = report }
                return (nil, report)
            }
            return (waiter, report)
        }
        waiter?(report)
    }

    /// The connection is gone: every answer not yet ended never will be.
    func close() {
        let resumed: [(@Sendable (FlushReport) -> Void, FlushReport)] = state.withLock { state in
            state.closed = true
            let waiters = state.waiters
            state.waiters = [:]
            return waiters.map { token, waiter in
                (waiter, FlushReport(bodyBytes: state.writing.removeValue(forKey: token) ?? 0, ended: false))
            }
        }
        for (waiter, report) in resumed { waiter(report) }
    }
}
