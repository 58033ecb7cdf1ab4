public import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Sends queries to miners as plain JSON over HTTP/1.1 with a pooled AsyncHTTPClient: the
/// ``MinerProtocol/btauth``, ``MinerProtocol/epistula`` and ``MinerProtocol/unsigned`` protocols.
///
/// With a ``RequestSigner`` every request carries the node's signature (btauth/1 or
/// Epistula), addressed to the miner's hotkey, so miners can check who is asking.
public struct HTTPMinerTransport: MinerTransport {
    let clients: MinerHTTPClients
    let userAgent: String
    let signer: (any RequestSigner)?

    public init(client: HTTPClient, userAgent: String = "organic-validator/0.1", signer: (any RequestSigner)? = nil) {
        self.init(clients: MinerHTTPClients(client), userAgent: userAgent, signer: signer)
    }

    /// Sends each request with the client of the loop it is made from.
    package init(clients: MinerHTTPClients, userAgent: String = "organic-validator/0.1", signer: (any RequestSigner)? = nil) {
        self.clients = clients
        self.userAgent = userAgent
        self.signer = signer
    }

    public func send(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerReply {
        guard let request = makeRequest(body, to: miner, path: path, accept: "application/json") else {
            return MinerReply(outcome: .failed(.connection("miner has no valid http(s) address")), latency: .zero)
        }
        return await MinerHTTPExchange.send(request, clients: clients, timeout: timeout, maxResponseBytes: maxResponseBytes,
                                            read: { .answered(body: $0.body) })
    }

    public func open(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerStreamReply {
        guard let request = makeRequest(body, to: miner, path: path, accept: "text/event-stream, application/json") else {
            return MinerStreamReply(outcome: .failed(.connection("miner has no valid http(s) address")), latency: .zero)
        }
        return await MinerHTTPExchange.open(request, clients: clients, timeout: timeout, maxResponseBytes: maxResponseBytes)
    }

    /// The request to `miner`, signed when there is a signer; nil when the miner has no valid address.
    func makeRequest(_ body: [UInt8], to miner: Neuron, path: String, accept: String) -> MinerHTTPRequest? {
        guard let base = miner.url, let address = MinerAddress(base + path) else { return nil }
        var request = MinerHTTPRequest(jsonBody: body, to: address, accept: accept, userAgent: userAgent)
        if let signer {
            for header in signer.headers(method: "POST", pathAndQuery: address.target, body: body, receiverHotkey: miner.hotkey) {
                request.headers.add(name: header.name, value: header.value)
            }
        }
        return request
    }
}

extension Duration {
    /// Nanoseconds, saturating instead of overflowing for very long durations.
    package var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : ns &+ attoseconds / 1_000_000_000
    }

    /// Seconds as a floating-point number.
    package var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }

    /// A duration from floating-point seconds, for configuration values.
    package static func seconds(double value: Double) -> Duration {
        .nanoseconds(Int64((max(value, 0) * 1e9).rounded()))
    }
}
