import AsyncHTTPClient
import Logging
import OrganicCrypto

/// Builds the transport of each endpoint from its ``MinerProtocol`` and its subnet's hotkey.
///
/// State that a protocol keeps per sender is shared the way the real clients share it: one
/// btauth/Epistula signer per hotkey (increasing nonces), one Axon codec per hotkey (one
/// dendrite uuid, as one SDK `Dendrite`), one fiber client per hotkey and version (one
/// exchanged key per miner).
final class MinerTransportFactory {
    let clients: MinerHTTPClients
    let clock: any NodeClock
    private var signers: [String: any MinerTransport] = [:]
    private var codecs: [String: AxonSynapseCodec] = [:]
    private var fibers: [String: FiberMinerTransport] = [:]

    init(clients: MinerHTTPClients, clock: any NodeClock) {
        self.clients = clients
        self.clock = clock
    }

    /// The transport for miners speaking `minerProtocol`, signed by `keypair`. Plain-JSON
    /// protocols without a hotkey go unsigned; the others cannot work without one.
    func transport(_ minerProtocol: MinerProtocol, keypair: Sr25519Keypair?, synapse: SynapseDescription?,
                   endpoint: String) throws(ConfigurationError) -> any MinerTransport {
        let sender = keypair?.ss58Address ?? "unsigned"
        let key = sender + "|" + minerProtocol.rawValue
        switch minerProtocol {
        case .btauth, .epistula, .unsigned:
            if let cached = signers[key] { return cached }
            let signer: (any RequestSigner)? = switch (minerProtocol, keypair) {
            case (.btauth, let keypair?): BTAuthRequestSigner(keypair: keypair, clock: clock)
            case (.epistula, let keypair?): EpistulaRequestSigner(keypair: keypair, clock: clock)
            default: nil
            }
            let transport = HTTPMinerTransport(clients: clients, signer: signer)
            signers[key] = transport
            return transport
        case .axonSynapse:
            guard let keypair else { throw Self.needsHotkey(minerProtocol, endpoint: endpoint) }
            guard let synapse else { throw ConfigurationError("endpoint '\(endpoint)' has no synapse for the Axon protocol") }
            let codec = codecs[sender] ?? AxonSynapseCodec(keypair: keypair, clock: clock)
            codecs[sender] = codec
            return AxonSynapseTransport(clients: clients, codec: codec, synapse: AxonSynapse(synapse))
        case .fiber1, .fiber2:
            guard let keypair else { throw Self.needsHotkey(minerProtocol, endpoint: endpoint) }
            if let cached = fibers[key] { return cached }
            let version: FiberVersion = minerProtocol == .fiber1 ? .v1 : .v2
            let transport = FiberMinerTransport(fiber: FiberClient(clients: clients, keypair: keypair, configuration: .init(version: version), clock: clock))
            fibers[key] = transport
            return transport
        }
    }

    static func needsHotkey(_ minerProtocol: MinerProtocol, endpoint: String) -> ConfigurationError {
        ConfigurationError("endpoint '\(endpoint)': miners speaking \(minerProtocol.rawValue) only answer signed requests; "
            + "set the validator's hotkey (node.wallet and node.hotkey, or subnets[].node)")
    }
}
