import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Reaches Bittensor SDK ≤ 10 `Axon`s (``MinerProtocol/axonSynapse``): the endpoint's miner
/// request becomes the synapse's fields, sent to `POST /<SynapseName>` with the dendrite's
/// signed headers; the miner's response is read from the synapse the axon sends back.
///
/// One transport serves one endpoint (one synapse); the ``AxonSynapseCodec`` (hotkey, uuid,
/// increasing nonces) is shared by every endpoint of the subnet, as one SDK `Dendrite` is.
struct AxonSynapseTransport: MinerTransport {
    let clients: MinerHTTPClients
    let codec: AxonSynapseCodec
    let synapse: AxonSynapse
    let userAgent: String

    init(clients: MinerHTTPClients, codec: AxonSynapseCodec, synapse: AxonSynapse, userAgent: String = "organic-validator/0.1") {
        self.clients = clients
        self.codec = codec
        self.synapse = synapse
        self.userAgent = userAgent
    }

    /// `path` is ignored: an axon serves a synapse at `/<name>`.
    func send(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerReply {
        guard let base = miner.url else { return MinerReply(outcome: .failed(.connection("miner has no address")), latency: .zero) }
        let encoded: AxonSynapseCodec.Request
        do {
            encoded = try codec.encode(fields: body, synapse: synapse, timeout: timeout, axon: .init(hotkey: miner.hotkey, url: base))
        } catch {
            return MinerReply(outcome: .failed(.unsendable("as synapse \(synapse.name): \(error)")), latency: .zero)
        }
        guard let address = MinerAddress(base + encoded.path) else {
            return MinerReply(outcome: .failed(.connection("miner has no valid http(s) address")), latency: .zero)
        }
        var request = MinerHTTPRequest(jsonBody: encoded.body, to: address, accept: "application/json", userAgent: userAgent)
        for header in encoded.headers { request.headers.add(name: header.name, value: header.value) }
        let synapseName = synapse.name
        return await MinerHTTPExchange.send(
            request, clients: clients, timeout: timeout, maxResponseBytes: maxResponseBytes,
            refusalReason: { status, headers, body in
                // The axon explains a refusal in its status headers (blacklist, verification, priority).
                let reply = AxonReply(httpStatus: status, headers: headers.map { ($0.name, $0.value) }, body: Array(body.utf8))
                return reply.message.map { "\($0) (status \(reply.status))" } ?? body
            },
            read: { answer in
                let reply = AxonReply(httpStatus: answer.status, headers: answer.headers.map { ($0.name, $0.value) }, body: answer.body)
                if let problem = reply.decodingError { return .failed(.invalidResponse("synapse \(synapseName): \(problem)")) }
                guard reply.status == 200, let fields = reply.responseJSON else {
                    return .failed(.httpStatus(reply.status, body: MinerHTTPExchange.printable(reply.message ?? "the axon reported a failure")))
                }
                return .answered(body: fields)
            })
    }
}
