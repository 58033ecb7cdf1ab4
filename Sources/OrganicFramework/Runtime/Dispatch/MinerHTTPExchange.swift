import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// What every HTTP miner protocol does once its request is built: bound the exchange by the
/// endpoint's timeout, tell 429 from refusals (keeping the refusal's reason) and from answers,
/// and cap the answer's size. The protocols differ only in how they build the request and read
/// a 2xx body.
enum MinerHTTPExchange {
    /// A finished exchange: the answer's status, headers and whole body.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        /// A streamed 2xx answer's body, to read as it arrives (`body` is then empty).
        var stream: MinerHTTP1Body? = nil

        /// A refusal's body as text: its first ``minerRefusalBodyLimit`` bytes.
        var refusal: String { String(decoding: body.prefix(minerRefusalBodyLimit), as: UTF8.self) }
    }

    /// Sends `request` with the clients of the current loop (``MinerHTTP1Pool`` for `http`,
    /// AsyncHTTPClient for `https`) and turns its answer into the reply, as ``send(timeout:refusalReason:read:answer:)``.
    static func send(_ request: MinerHTTPRequest, clients: MinerHTTPClients, timeout: Duration, maxResponseBytes: Int,
                     refusalReason: @Sendable (Int, HTTPHeaders, String) -> String = { _, _, body in body },
                     read: (Answer) -> MinerReply.Outcome) async -> MinerReply {
        await send(timeout: timeout, refusalReason: refusalReason, read: read) {
            try await answer(to: request, clients: clients, timeout: timeout, maxResponseBytes: maxResponseBytes)
        }
    }

    /// Runs `answer`, which must return the whole answer within `timeout` (its body capped at
    /// `maxResponseBytes`, a refusal's at ``minerRefusalBodyLimit``). A 2xx answer is handed to
    /// `read`, which turns it into the reply; other statuses become `busy` (429) or a refusal
    /// with the start of the body. `refusalReason` lets a protocol that explains refusals in
    /// headers (the Axon) supply its own reason.
    static func send(timeout: Duration,
                     refusalReason: @Sendable (Int, HTTPHeaders, String) -> String = { _, _, body in body },
                     read: (Answer) -> MinerReply.Outcome,
                     answer: () async throws -> Answer) async -> MinerReply {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let answer = try await answer()
            let status = answer.status
            if status == 429 {
                return MinerReply(outcome: .busy, latency: clock.now - start)
            }
            guard (200..<300).contains(status) else {
                let reason = Self.printable(refusalReason(status, answer.headers, answer.refusal))
                return MinerReply(outcome: .failed(.httpStatus(status, body: reason)), latency: clock.now - start)
            }
            return MinerReply(outcome: read(answer), latency: clock.now - start, contentType: answer.headers.first(name: "content-type"))
        } catch {
            let latency = clock.now - start
            return MinerReply(outcome: .failed(failure(for: error, latency: latency, timeout: timeout)), latency: latency)
        }
    }

    /// The whole answer to `request` within `timeout`.
    static func answer(to request: MinerHTTPRequest, clients: MinerHTTPClients, timeout: Duration, maxResponseBytes: Int) async throws -> Answer {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        switch request.address.scheme {
        case .http:
            return try await clients.currentPool.send(request, deadline: deadline, maxResponseBytes: maxResponseBytes)
        case .https:
            let end = ContinuousClock.now + timeout
            return try await collect(clients.current.execute(request.asyncHTTPClientRequest, deadline: deadline), by: end,
                                     maxResponseBytes: maxResponseBytes)
        }
    }

    /// The whole answer of an AsyncHTTPClient response by `deadline` (AsyncHTTPClient's own
    /// deadline covers the head only): a 2xx body up to `maxResponseBytes`, a refusal's first
    /// ``minerRefusalBodyLimit`` bytes.
    static func collect(_ response: HTTPClientResponse, by deadline: ContinuousClock.Instant, maxResponseBytes: Int) async throws -> Answer {
        let status = Int(response.status.code)
        let body = response.body
        let bytes: [UInt8]
        if (200..<300).contains(status) {
            let buffer = try await by(deadline) { try await body.collect(upTo: maxResponseBytes) }
            bytes = Array(buffer.readableBytesView)
        } else if status == 429 {
            bytes = []
        } else {
            bytes = (try? await by(deadline) { await refusalPrefix(body) }) ?? []
        }
        return Answer(status: status, headers: response.headers, body: bytes)
    }

    /// Sends `request` with the clients of the current loop and returns as soon as a 2xx head
    /// arrives, as ``open(timeout:execute:)``: plain-HTTP miners through ``MinerHTTP1Pool``.
    static func open(_ request: MinerHTTPRequest, clients: MinerHTTPClients, timeout: Duration, maxResponseBytes: Int) async -> MinerStreamReply {
        guard request.address.scheme == .http else {
            let sent = request.asyncHTTPClientRequest
            return await open(timeout: timeout) { deadline in try await clients.current.execute(sent, deadline: deadline) }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = NIODeadline.now() + TimeAmount(timeout * 2)
        do {
            let answer = try await clients.currentPool.send(request, deadline: deadline, maxResponseBytes: maxResponseBytes, streaming: true)
            let latency = clock.now - start
            if answer.status == 429 { return MinerStreamReply(outcome: .busy, latency: latency) }
            guard (200..<300).contains(answer.status), let body = answer.stream else {
                return MinerStreamReply(outcome: .failed(.httpStatus(answer.status, body: printable(answer.refusal))), latency: latency)
            }
            let stream = MinerResponseStream(contentType: answer.headers.first(name: "content-type"), body: body)
            return MinerStreamReply(outcome: .opened(stream), latency: latency)
        } catch {
            let latency = clock.now - start
            return MinerStreamReply(outcome: .failed(failure(for: error, latency: latency, timeout: timeout)), latency: latency)
        }
    }

    /// Runs `execute` and returns as soon as a 2xx head arrives, its body to be read as it
    /// streams. The head must come within twice `timeout`; the round's watchdog enforces the
    /// endpoint's timeout and chunk timeout on the body.
    static func open(timeout: Duration, execute: @Sendable (NIODeadline) async throws -> HTTPClientResponse) async -> MinerStreamReply {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = NIODeadline.now() + TimeAmount(timeout * 2)
        do {
            let response = try await execute(deadline)
            let status = Int(response.status.code)
            let latency = clock.now - start
            if status == 429 { return MinerStreamReply(outcome: .busy, latency: latency) }
            guard (200..<300).contains(status) else {
                let reason = (try? await by(start + timeout) { await Self.refusalReason(response.body) }) ?? ""
                return MinerStreamReply(outcome: .failed(.httpStatus(status, body: printable(reason))), latency: clock.now - start)
            }
            let stream = MinerResponseStream(contentType: response.headers.first(name: "content-type"), body: response.body)
            return MinerStreamReply(outcome: .opened(stream), latency: latency)
        } catch {
            let latency = clock.now - start
            return MinerStreamReply(outcome: .failed(failure(for: error, latency: latency, timeout: timeout)), latency: latency)
        }
    }

    /// Runs `work`, or throws ``HTTPClientError/deadlineExceeded`` at `deadline` (cancelling it,
    /// which closes the connection): a miner that trickles its body cannot hold a round past its timeout.
    static func by<T: Sendable>(_ deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await sleep(until: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw HTTPClientError.deadlineExceeded }
            return value
        }
    }

    /// Sleeps until `deadline`, on the current event loop's timers when there is one: cancelling
    /// the sleep (its usual end, when the work finishes first) then wakes no other thread.
    static func sleep(until deadline: ContinuousClock.Instant) async throws {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else {
            try await Task.sleep(until: deadline, clock: .continuous)
            return
        }
        let wait = ContinuousClock.now.duration(to: deadline)
        let timer = loop.scheduleTask(in: TimeAmount(max(wait, .zero))) {}
        try await withTaskCancellationHandler {
            try await timer.futureResult.get()
        } onCancel: {
            timer.cancel()
        }
    }

    /// The first ``minerRefusalBodyLimit`` bytes of a refusal, as text; the rest is not read
    /// (the connection is then closed rather than reused).
    static func refusalReason(_ body: HTTPClientResponse.Body) async -> String {
        String(decoding: await refusalPrefix(body), as: UTF8.self)
    }

    /// The first ``minerRefusalBodyLimit`` bytes of a refusal.
    static func refusalPrefix(_ body: HTTPClientResponse.Body) async -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await buffer in body {
                bytes += buffer.readableBytesView.prefix(minerRefusalBodyLimit - bytes.count)
                if bytes.count >= minerRefusalBodyLimit { break }
            }
        } catch {
            // Keep what arrived before the failure.
        }
        return bytes
    }

    /// `text` cut to ``minerRefusalBodyLimit`` bytes' worth, control characters replaced, so
    /// it is safe in one log line and one database column.
    static func printable(_ text: String) -> String {
        let scalars = text.unicodeScalars.prefix(minerRefusalBodyLimit)
        return String(String.UnicodeScalarView(scalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
            .trimmingCharacters(in: .whitespaces)
    }

    /// The failure an HTTP client error stands for.
    static func failure(for error: any Error, latency: Duration, timeout: Duration) -> MinerFailure {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .timeout
        }
        if error is NIOTooManyBytesError { return .responseTooLarge }
        if let error = error as? MinerConnectionError {
            switch error {
            case .deadlineExceeded: return .timeout
            case .closedBeforeAnswer: return .connection("the miner closed the connection before its answer was complete")
            case .shutDown: return .connection("the node is shutting down")
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return .timeout }
        if let error = error as? FiberError {
            switch error {
            case .refused(let step, let status, let body): return .httpStatus(status, body: printable("fiber \(step.rawValue): \(body)"))
            case .invalidPublicKey(let reason): return .invalidResponse("fiber public key: \(reason)")
            case .transport(let step, let reason):
                return latency >= timeout ? .timeout : .connection("fiber \(step.rawValue): \(reason)")
            }
        }
        // A request cancelled at its deadline surfaces as cancellation.
        if latency >= timeout { return .timeout }
        return .connection(String(describing: error))
    }
}
