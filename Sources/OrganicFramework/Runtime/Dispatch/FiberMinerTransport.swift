import AsyncHTTPClient
import Foundation
import NIOCore

/// Reaches fiber miners (``MinerProtocol/fiber1``, ``MinerProtocol/fiber2``) through a
/// ``FiberClient``: for 1.x, the RSA handshake and a Fernet-encrypted body under the key it
/// exchanged (renewed when the miner forgot it); for 2.x, plain JSON with fiber's signed
/// headers. Answers are plain JSON or Server-Sent Events in both.
struct FiberMinerTransport: MinerTransport {
    let fiber: FiberClient

    func send(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerReply {
        guard let target = FiberMiner(miner) else { return MinerReply(outcome: .failed(.connection("miner has no address")), latency: .zero) }
        return await MinerHTTPExchange.send(timeout: timeout, read: { .answered(body: $0.body) }) {
            let end = ContinuousClock.now + timeout
            return try await MinerHTTPExchange.collect(fiber.execute(body, to: target, path: path, accept: "application/json", timeout: timeout),
                                                       by: end, maxResponseBytes: maxResponseBytes)
        }
    }

    func open(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerStreamReply {
        guard let target = FiberMiner(miner) else { return MinerStreamReply(outcome: .failed(.connection("miner has no address")), latency: .zero) }
        return await MinerHTTPExchange.open(timeout: timeout) { [fiber] _ in
            try await fiber.execute(body, to: target, path: path, accept: "text/event-stream, application/json", timeout: timeout * 2)
        }
    }
}
