import Crypto
import Foundation

/// One SDK ≤ 10 synapse as both sides of the wire see it: the Python class name (the route
/// `POST /<name>`), and the fields its `required_hash_fields` names, in order.
package struct AxonSynapse: Sendable, Hashable {
    /// A field covered by `computed_body_hash`.
    package struct HashField: Sendable, Hashable, ExpressibleByStringLiteral {
        package var name: String
        /// `.floats` for a pydantic `float` (or `list[float]`, …) field: the axon's model turns
        /// a JSON `1` (how Swift's `JSONEncoder` writes the Double 1.0) into `1.0` and hashes that.
        package var numbers: PythonStr.Numbers

        package init(_ name: String, numbers: PythonStr.Numbers = .asParsed) {
            self.name = name
            self.numbers = numbers
        }

        package init(stringLiteral name: String) { self.init(name) }
    }

    /// The Python class name.
    package var name: String
    /// `required_hash_fields`, in the class's order. A class that declares them as a pydantic
    /// field (the deprecated form) hashes them in field-definition order instead: list them so.
    package var hashFields: [HashField]
    /// Fields sent as `bt_header_input_obj_<field>` (an empty value of the field's type, so the
    /// axon can build the synapse from headers alone). The SDK sends the class's fields without
    /// a default; nil sends every top-level request field that is not null.
    package var headerInputFields: [String]?
    /// The axon's Python Unicode database, which `str()` of a list or dict depends on.
    package var pythonUnicode: PythonStr.UnicodeVersion

    package init(name: String, hashFields: [HashField] = [], headerInputFields: [String]? = nil,
                 pythonUnicode: PythonStr.UnicodeVersion = .python311) {
        self.name = name
        self.hashFields = hashFields
        self.headerInputFields = headerInputFields
        self.pythonUnicode = pythonUnicode
    }

    /// `Synapse.body_hash`: SHA3-256 hex of the concatenated SHA3-256 hex digests of
    /// `str(value)` for each hash field (a missing field counts as `None`).
    package func bodyHash(of synapse: SynapseJSON.Object) -> String {
        var digests = ""
        for field in hashFields {
            let text = PythonStr.str(synapse[field.name] ?? .null, numbers: field.numbers, unicode: pythonUnicode)
            digests += AxonWire.sha3Hex(text)
        }
        return AxonWire.sha3Hex(digests)
    }
}

/// Names, constants and formats of the SDK ≤ 10 Axon/Dendrite wire (bittensor 10.5.0).
package enum AxonWire {
    /// `bittensor.core.settings.version_as_int` of 10.5.0; at or above 7.2.0 (7002000) an
    /// axon applies the first-sight nonce window.
    package static let dendriteVersion = 10_005_000
    package static let nonceWindowVersion = 7_002_000
    /// `ALLOWED_DELTA`: a first nonce may be this much (plus the timeout) older than the axon's clock.
    package static let allowedDeltaNanoseconds: UInt64 = 4_000_000_000
    /// `Synapse.timeout`'s default, used when a request carries none.
    package static let defaultTimeoutSeconds = 12.0

    package enum Header {
        package static let name = "name"
        package static let timeout = "timeout"
        package static let headerSize = "header_size"
        package static let totalSize = "total_size"
        package static let computedBodyHash = "computed_body_hash"
        package static let dendritePrefix = "bt_header_dendrite_"
        package static let axonPrefix = "bt_header_axon_"
        package static let inputPrefix = "bt_header_input_obj_"
        package static let dendriteHotkey = "bt_header_dendrite_hotkey"
        package static let dendriteNonce = "bt_header_dendrite_nonce"
        package static let dendriteUUID = "bt_header_dendrite_uuid"
        package static let dendriteVersion = "bt_header_dendrite_version"
        package static let dendriteSignature = "bt_header_dendrite_signature"
        package static let dendriteIP = "bt_header_dendrite_ip"
        package static let axonHotkey = "bt_header_axon_hotkey"
        package static let axonIP = "bt_header_axon_ip"
        package static let axonPort = "bt_header_axon_port"
        package static let axonStatusCode = "bt_header_axon_status_code"
        package static let axonStatusMessage = "bt_header_axon_status_message"
        package static let axonProcessTime = "bt_header_axon_process_time"
    }

    /// Keys of the `Synapse` base class in the JSON body; the rest are the subclass's fields.
    package static let envelopeKeys: Set<String> = [
        "name", "timeout", "total_size", "header_size", "dendrite", "axon", "computed_body_hash", "required_hash_fields",
    ]

    /// `TerminalInfo`'s fields in declaration order (the body carries all of them, null or not).
    package static let terminalKeys = [
        "status_code", "status_message", "process_time", "ip", "port", "version", "nonce", "uuid", "hotkey", "signature",
    ]

    /// What the dendrite signs: `"{nonce}.{dendrite_hotkey}.{axon_hotkey}.{dendrite_uuid}.{computed_body_hash}"`.
    package static func signatureMessage(nonce: UInt64, dendriteHotkey: String, axonHotkey: String, uuid: String, bodyHash: String) -> [UInt8] {
        Array("\(nonce).\(dendriteHotkey).\(axonHotkey).\(uuid).\(bodyHash)".utf8)
    }

    /// `bittensor.utils.get_hash`: SHA3-256 of the UTF-8 text, lowercase hex.
    package static func sha3Hex(_ text: String) -> String {
        Hex.encode(SHA3_256.hash(data: Array(text.utf8)))
    }

    /// The synapse name as the axon reads it, `path.split("/")[1]` (`/Echo?x` → `Echo`).
    package static func synapseName(fromPath path: String) -> String {
        let parts = path.prefix { $0 != "?" && $0 != "#" }.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 1 ? String(parts[1]) : ""
    }

    /// `TerminalInfo` as JSON with every field present, as pydantic dumps it.
    package static func terminal(_ values: [String: SynapseJSON]) -> SynapseJSON {
        .object(SynapseJSON.Object(terminalKeys.map { ($0, values[$0] ?? .null) }))
    }
}
