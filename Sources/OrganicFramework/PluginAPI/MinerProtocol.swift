/// How the node reaches a plugin's miners: the path it addresses, how it encodes and signs a
/// request, and how it reads the answer. A plugin declares the protocol its subnet's miners run
/// (``SubnetPlugin/minerProtocol``); operators may override it per plugin or per endpoint.
///
/// | protocol | who runs it | what the node sends |
/// |---|---|---|
/// | ``btauth`` | Bittensor SDK 11 miners | plain JSON to the endpoint's miner path, `btauth/1` headers |
/// | ``epistula`` | many 2024–25 subnets | plain JSON, Epistula v2 headers |
/// | ``axonSynapse`` | Bittensor SDK ≤ 10 `Axon`s | the synapse as JSON to `/<SynapseName>`, `bt_header_*` headers and `computed_body_hash` |
/// | ``fiber1`` | fiber 1.x (Subnet 19's nineteen) | a Fernet-encrypted body after an RSA key exchange, fiber's headers |
/// | ``fiber2`` | fiber 2.x | plain JSON, fiber's headers signing the body's hash |
/// | ``unsigned`` | local test miners | plain JSON, no signature |
public enum MinerProtocol: String, Codable, Sendable, CaseIterable {
    case btauth = "btauth/1"
    case epistula = "epistula/2"
    case axonSynapse = "axon"
    case fiber1 = "fiber/1"
    case fiber2 = "fiber/2"
    case unsigned

    /// Whether requests carry the validator's signature (and so need its hotkey).
    public var isSigned: Bool { self != .unsigned }

    /// Whether a miner cannot be reached at all without the validator's hotkey: unlike the
    /// plain-JSON protocols, these have no unsigned form.
    public var requiresHotkey: Bool {
        switch self {
        case .axonSynapse, .fiber1, .fiber2: true
        case .btauth, .epistula, .unsigned: false
        }
    }
}

/// The Bittensor SDK ≤ 10 synapse an endpoint's miners serve over ``MinerProtocol/axonSynapse``.
///
/// The node sends the endpoint's miner request as the synapse's fields (plus the SDK's envelope)
/// to `POST /<name>`, and decodes the miner's response from the synapse it sends back.
public struct SynapseDescription: Sendable, Hashable, Codable {
    /// The Python class name, such as `TextToImage`: the Axon's route.
    public var name: String
    /// The class's `required_hash_fields`, in order: the fields `computed_body_hash` covers.
    public var requiredHashFields: [String]
    /// Hashed fields declared `float` in Python, so that a whole number is hashed as `str(1.0)`,
    /// as the SDK does after pydantic converts it.
    public var floatFields: [String]

    public init(name: String, requiredHashFields: [String] = [], floatFields: [String] = []) {
        self.name = name
        self.requiredHashFields = requiredHashFields
        self.floatFields = floatFields
    }

    enum CodingKeys: String, CodingKey {
        case name, requiredHashFields, floatFields
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        requiredHashFields = try container.decodeIfPresent([String].self, forKey: .requiredHashFields) ?? []
        floatFields = try container.decodeIfPresent([String].self, forKey: .floatFields) ?? []
    }
}
