public import AsyncHTTPClient
import Foundation
import NIOCore

/// A miner handler that hands each request to an inference worker over HTTP, so operators can
/// put GPU workers behind `organic-miner` (which keeps signature checks, capacity and 429s).
///
/// The worker receives exactly what the validator sent the miner: `POST <worker><minerPath>`
/// with the endpoint's request JSON (seed already assigned), and must answer 200 with the
/// endpoint's response JSON. Any other status, a timeout, or JSON that does not decode makes the
/// miner answer 500.
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

    public func respond(to request: Served.Request, context: MinerContext) async throws -> Served.Response {
        let descriptor = endpoint.descriptor
        var outgoing = HTTPClientRequest(url: workerURL + descriptor.minerPath)
        outgoing.method = .POST
        outgoing.headers.add(name: "Content-Type", value: "application/json")
        outgoing.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(request)))
        let deadline = NIODeadline.now() + .nanoseconds(descriptor.timeout.nanosecondsClamped)
        let response = try await client.execute(outgoing, deadline: deadline)
        let body = try await response.body.collect(upTo: descriptor.maxResponseBytes)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw ForwardingError(message: "worker answered HTTP \(response.status.code) for \(descriptor.minerPath)")
        }
        return try JSONDecoder().decode(Served.Response.self, from: Data(body.readableBytesView))
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
