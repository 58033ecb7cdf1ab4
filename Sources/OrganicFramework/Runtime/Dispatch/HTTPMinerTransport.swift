public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends queries to miners over HTTP/1.1 with a pooled AsyncHTTPClient.
///
/// With a ``RequestSigner`` every request carries the node's signature (btauth/1 or
/// Epistula), addressed to the miner's hotkey, so miners can check who is asking.
public struct HTTPMinerTransport: MinerTransport {
    let client: HTTPClient
    let userAgent: String
    let signer: (any RequestSigner)?

    public init(client: HTTPClient, userAgent: String = "organic-validator/0.1", signer: (any RequestSigner)? = nil) {
        self.client = client
        self.userAgent = userAgent
        self.signer = signer
    }

    public func send(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerReply {
        let clock = ContinuousClock()
        let start = clock.now
        guard let request = makeRequest(body, to: miner, path: path, accept: "application/json") else {
            return MinerReply(outcome: .failed(.connection("miner has no address")), latency: .zero)
        }
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(Int64(timeout.nanosecondsClamped))
        // AsyncHTTPClient's deadline covers the head only; the body must arrive by the same time.
        let bodyDeadline = start + timeout
        do {
            let response = try await client.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            if status == 429 {
                return MinerReply(outcome: .busy, latency: clock.now - start)
            }
            guard (200..<300).contains(status) else {
                let reason = (try? await Self.by(bodyDeadline) { await Self.refusalReason(response.body) }) ?? ""
                return MinerReply(outcome: .failed(.httpStatus(status, body: reason)), latency: clock.now - start)
            }
            let body = response.body
            let buffer = try await Self.by(bodyDeadline) { try await body.collect(upTo: maxResponseBytes) }
            let latency = clock.now - start
            return MinerReply(outcome: .answered(body: Array(buffer.readableBytesView)), latency: latency,
                              contentType: response.headers.first(name: "content-type"))
        } catch {
            let latency = clock.now - start
            return MinerReply(outcome: .failed(Self.failure(for: error, latency: latency, timeout: timeout)), latency: latency)
        }
    }

    /// Opens the answer for reading as it streams. The head must come within twice `timeout`
    /// (AsyncHTTPClient's deadline covers the head only); the round's watchdog enforces the
    /// endpoint's timeout and chunk timeout on the body.
    public func open(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerStreamReply {
        let clock = ContinuousClock()
        let start = clock.now
        guard let request = makeRequest(body, to: miner, path: path, accept: "text/event-stream, application/json") else {
            return MinerStreamReply(outcome: .failed(.connection("miner has no address")), latency: .zero)
        }
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(Int64((timeout * 2).nanosecondsClamped))
        do {
            let response = try await client.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            let latency = clock.now - start
            if status == 429 { return MinerStreamReply(outcome: .busy, latency: latency) }
            guard (200..<300).contains(status) else {
                let reason = (try? await Self.by(start + timeout) { await Self.refusalReason(response.body) }) ?? ""
                return MinerStreamReply(outcome: .failed(.httpStatus(status, body: reason)), latency: clock.now - start)
            }
            let stream = MinerResponseStream(contentType: response.headers.first(name: "content-type"), body: response.body)
            return MinerStreamReply(outcome: .opened(stream), latency: latency)
        } catch {
            let latency = clock.now - start
            return MinerStreamReply(outcome: .failed(Self.failure(for: error, latency: latency, timeout: timeout)), latency: latency)
        }
    }

    /// Runs `work`, or throws ``HTTPClientError/deadlineExceeded`` at `deadline` (cancelling it,
    /// which closes the connection): a miner that trickles its body cannot hold a round past its timeout.
    static func by<T: Sendable>(_ deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw HTTPClientError.deadlineExceeded }
            return value
        }
    }

    /// The first ``minerRefusalBodyLimit`` bytes of a refusal, as text with control characters
    /// replaced; the rest is not read (the connection is then closed rather than reused).
    static func refusalReason(_ body: HTTPClientResponse.Body) async -> String {
        var bytes: [UInt8] = []
        do {
            for try await buffer in body {
                bytes += buffer.readableBytesView.prefix(minerRefusalBodyLimit - bytes.count)
                if bytes.count >= minerRefusalBodyLimit { break }
            }
        } catch {
            // Keep what arrived before the failure.
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
            .trimmingCharacters(in: .whitespaces)
    }

    func makeRequest(_ body: [UInt8], to miner: Neuron, path: String, accept: String) -> HTTPClientRequest? {
        guard let base = miner.url else { return nil }
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: userAgent)
        if let signer {
            for header in signer.headers(method: "POST", pathAndQuery: Self.requestTarget(base + path), body: body, receiverHotkey: miner.hotkey) {
                request.headers.add(name: header.name, value: header.value)
            }
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// The failure an HTTP client error stands for.
    static func failure(for error: any Error, latency: Duration, timeout: Duration) -> MinerFailure {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .timeout
        }
        if error is NIOTooManyBytesError { return .responseTooLarge }
        // A request cancelled at its deadline surfaces as cancellation.
        if latency >= timeout { return .timeout }
        return .connection(String(describing: error))
    }
}

extension HTTPMinerTransport {
    /// The request target (path plus query, percent-encoded as sent) that the miner will see.
    static func requestTarget(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return "/" }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return components.percentEncodedQuery.map { path + "?" + $0 } ?? path
    }
}

extension Duration {
    /// Nanoseconds, saturating instead of overflowing for very long durations.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : ns &+ attoseconds / 1_000_000_000
    }

    /// Seconds as a floating-point number.
    public var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }

    /// A duration from floating-point seconds, for configuration values.
    public static func seconds(double value: Double) -> Duration {
        .nanoseconds(Int64((max(value, 0) * 1e9).rounded()))
    }
}
