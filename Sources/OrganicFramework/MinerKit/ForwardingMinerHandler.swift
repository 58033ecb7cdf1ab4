public import OrganicFramework
public import AsyncHTTPClient
import Foundation
import NIOCore

/// A miner handler that hands each request to an inference worker over HTTP, so operators can
/// put GPU workers behind `organic-miner` (which keeps signature checks, capacity and 429s).
///
/// The worker receives exactly what the validator sent the miner: `POST <worker><minerPath>`
/// with the endpoint's miner request JSON (seed already assigned), and must answer 200 with the
/// endpoint's miner response JSON, or, for a streaming endpoint asked for a stream, with
/// Server-Sent Events of the endpoint's chunks (an OpenAI-compatible server such as vLLM or
/// llama.cpp's, for the text-generation plugin). Any other status, a timeout, or JSON that does
/// not decode makes the miner answer 500 (or end its stream without the end marker).
public struct ForwardingMinerHandler<Served: Endpoint>: MinerHandler {
    public let endpoint: Served
    let workerURL: String
    let client: HTTPClient

    public init(endpoint: Served, workerURL: String, client: HTTPClient = .shared) {
        self.endpoint = endpoint
        var url = workerURL
        while url.hasSuffix("/") { url.removeLast() }
        self.workerURL = url
        self.client = client
    }

    public func respond(to request: Served.MinerRequest, context: MinerContext) async throws -> Served.MinerResponse {
        let descriptor = endpoint.descriptor
        if descriptor.streaming != nil {
            // The worker streams what a streaming endpoint's miner request asks for; assemble it.
            var chunks: [Served.MinerChunk] = []
            for try await chunk in stream(request, context: context) { chunks.append(chunk) }
            return try endpoint.assemble(chunks, for: request)
        }
        let response = try await send(request, accept: "application/json")
        let body = try await response.body.collect(upTo: descriptor.maxResponseBytes)
        return try JSONDecoder().decode(Served.MinerResponse.self, from: Data(body.readableBytesView))
    }

    /// Relays the worker's event stream chunk by chunk, up to the endpoint's end marker.
    public func stream(_ request: Served.MinerRequest, context: MinerContext) -> AsyncThrowingStream<Served.MinerChunk, any Error> {
        let descriptor = endpoint.descriptor
        return AsyncThrowingStream { continuation in
            let relay = Task {
                do {
                    let response = try await send(request, accept: "text/event-stream")
                    var parser = ServerSentEventParser(maximumEventSize: descriptor.maxResponseBytes)
                    let decoder = JSONDecoder()
                    var total = 0
                    reading: for try await buffer in response.body {
                        total += buffer.readableBytes
                        guard total <= descriptor.maxResponseBytes else {
                            throw ForwardingError(message: "worker's stream exceeds \(descriptor.maxResponseBytes) bytes")
                        }
                        for event in try parser.feed(buffer) {
                            if let marker = descriptor.streaming?.endMarker, event.data.elementsEqual(marker.utf8) { break reading }
                            continuation.yield(try decoder.decode(Served.MinerChunk.self, from: Data(event.data)))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in relay.cancel() }
        }
    }

    private func send(_ request: Served.MinerRequest, accept: String) async throws -> HTTPClientResponse {
        let descriptor = endpoint.descriptor
        var outgoing = HTTPClientRequest(url: workerURL + descriptor.minerPath)
        outgoing.method = .POST
        outgoing.headers.add(name: "Content-Type", value: "application/json")
        outgoing.headers.add(name: "Accept", value: accept)
        outgoing.body = .bytes(ByteBuffer(bytes: try DirectJSONEncoder().encode(request)))
        let deadline = NIODeadline.now() + TimeAmount(descriptor.timeout)
        let response = try await client.execute(outgoing, deadline: deadline)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw ForwardingError(message: "worker answered HTTP \(response.status.code) for \(descriptor.minerPath)")
        }
        return response
    }
}

/// Builds forwarding handlers for every endpoint of the given plugins.
public enum ForwardingMiners {
    public static func handlers(for plugins: [any SubnetPlugin], workerURL: String, client: HTTPClient = .shared) -> [any MinerHandler] {
        plugins.flatMap { plugin in plugin.endpoints.map { handler(for: $0, workerURL: workerURL, client: client) } }
    }

    static func handler<E: Endpoint>(for endpoint: E, workerURL: String, client: HTTPClient) -> any MinerHandler {
        ForwardingMinerHandler(endpoint: endpoint, workerURL: workerURL, client: client)
    }
}

/// The inference worker did not produce a usable answer.
public struct ForwardingError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
