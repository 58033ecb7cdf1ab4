import Foundation
import OrganicCrypto

/// Reads a subnet's neurons from a subtensor node: `state_call` of the runtime API
/// `NeuronInfoRuntimeApi_get_neurons_lite` with the netuid (u16, little-endian), decoded
/// from SCALE. Any failure throws, so the node keeps its last good snapshot.
public struct SubtensorMetagraphSource: MetagraphSource {
    package static let runtimeMethod = "NeuronInfoRuntimeApi_get_neurons_lite"

    public let netuid: UInt16
    public let rpc: any SubtensorRPC
    public let refreshInterval: Duration?

    public init(netuid: UInt16, rpc: any SubtensorRPC, refreshInterval: Duration? = .seconds(120)) {
        self.netuid = netuid
        self.rpc = rpc
        self.refreshInterval = refreshInterval
    }

    /// `0x` + netuid as u16 little-endian: the SCALE-encoded runtime API argument.
    package var callArgument: String {
        Hex.encode([UInt8(truncatingIfNeeded: netuid), UInt8(truncatingIfNeeded: netuid >> 8)], prefix0x: true)
    }

    public func fetch() async throws -> Metagraph {
        let result = try await rpc.call(method: "state_call", params: [Self.runtimeMethod, callArgument])
        let bytes: [UInt8]
        do { bytes = try Hex.decode(result) } catch { throw SubtensorError.badResponse("state_call result is not hex") }
        let neurons = try NeuronInfoLite.decodeVector(bytes)
        if let stray = neurons.first(where: { $0.netuid != netuid }) {
            throw SubtensorError.badResponse("neuron uid \(stray.uid) belongs to netuid \(stray.netuid), asked for \(netuid)")
        }
        return Metagraph(netuid: netuid, neurons: neurons.map(\.neuron))
    }
}
