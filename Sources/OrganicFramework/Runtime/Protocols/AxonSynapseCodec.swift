import Foundation
import Synchronization

/// The dendrite side of the Bittensor SDK ≤ 10 "Axon synapse" protocol: turns a plugin's
/// request (the synapse's own fields as a JSON object) into what a bittensor 10.5 `Dendrite`
/// sends, and an axon's reply back into the plugin's response fields.
///
/// One codec is one dendrite: one hotkey and one uuid for the process, as the SDK's `Dendrite`
/// has, with nonces (wall-clock nanoseconds) strictly increasing even when the clock stands
/// still or steps back, since an axon refuses any nonce not above the last it saw from
/// (hotkey, uuid).
package final class AxonSynapseCodec: Sendable {
    /// The axon a request is for: its hotkey (signed over) and, when known, its address
    /// (sent as `bt_header_axon_ip`/`_port`, as the SDK does).
    package struct Target: Sendable, Hashable {
        package var hotkey: String
        package var ip: String?
        package var port: Int?

        package init(hotkey: String, ip: String? = nil, port: Int? = nil) {
            self.hotkey = hotkey
            self.ip = ip
            self.port = port
        }

        /// The hotkey and the host and port of a miner's `http://ip:port` URL.
        package init(hotkey: String, url: String?) {
            let components = url.flatMap { URLComponents(string: $0) }
            self.init(hotkey: hotkey, ip: components?.host, port: components?.port)
        }
    }

    /// A request ready to send: `POST path` with `headers` and the JSON `body`
    /// (`Content-Type: application/json` is the transport's).
    package struct Request: Sendable {
        package var method: String { "POST" }
        package var path: String
        package var headers: [(name: String, value: String)]
        package var body: [UInt8]
        package var nonce: UInt64
        package var bodyHash: String

        /// The first value of a header (names compared case-insensitively).
        package func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    package let keypair: Sr25519Keypair
    package let uuid: String
    /// Sent as `bt_header_dendrite_ip` when set (the SDK sends its external IP; axons overwrite
    /// it with the connection's address before anything reads it).
    package let externalIP: String?
    let clock: any NodeClock
    private let lastNonce = Atomic<UInt64>(0)

    package init(keypair: Sr25519Keypair, clock: any NodeClock = SystemNodeClock(),
                 uuid: String = UUID().uuidString.lowercased(), externalIP: String? = nil) {
        self.keypair = keypair
        self.clock = clock
        self.uuid = uuid
        self.externalIP = externalIP
    }

    package var hotkey: String { keypair.ss58Address }

    /// Wall-clock nanoseconds, above every nonce this codec gave before.
    package func nextNonce() -> UInt64 {
        let now = UInt64(max(0, clock.now().timeIntervalSince1970 * 1e9))
        while true {
            let last = lastNonce.load(ordering: .relaxed)
            let next = max(now, last &+ 1)
            if lastNonce.compareExchange(expected: last, desired: next, ordering: .relaxed).exchanged { return next }
        }
    }

    /// Encodes `fields` (the plugin's request: a JSON object of the synapse's own fields).
    package func encode(fields: [UInt8], synapse: AxonSynapse, timeout: Duration, axon: Target) throws(AxonSynapseError) -> Request {
        let parsed: SynapseJSON
        do { parsed = try SynapseJSON.parse(fields) } catch { throw .invalidJSON(error.description) }
        guard case .object(let object) = parsed else { throw .notAnObject }
        return try encode(fields: object, synapse: synapse, timeout: timeout, axon: axon)
    }

    package func encode(fields: SynapseJSON.Object, synapse: AxonSynapse, timeout: Duration, axon: Target) throws(AxonSynapseError) -> Request {
        if let reserved = fields.keys.first(where: AxonWire.envelopeKeys.contains) { throw .reservedField(reserved) }
        var fields = fields
        // A hash field the plugin left out (a nil optional) is sent as null, so both ends hash `None`.
        for field in synapse.hashFields where fields[field.name] == nil { fields[field.name] = .null }

        let bodyHash = synapse.bodyHash(of: fields)
        let nonce = nextNonce()
        let dendriteHotkey = hotkey
        let message = AxonWire.signatureMessage(nonce: nonce, dendriteHotkey: dendriteHotkey, axonHotkey: axon.hotkey,
                                                uuid: uuid, bodyHash: bodyHash)
        let signature = Hex.encode(keypair.sign(message), prefix0x: true)
        let timeoutSeconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        // The SDK's total_size is Python's in-memory size; the field bytes are the honest analogue.
        let totalSize = SynapseJSON.object(fields).jsonBytes.count

        var dendrite: [String: SynapseJSON] = [
            "version": .int(AxonWire.dendriteVersion), "nonce": .int(nonce), "uuid": .string(uuid),
            "hotkey": .string(dendriteHotkey), "signature": .string(signature),
        ]
        if let externalIP { dendrite["ip"] = .string(externalIP) }
        var axonInfo: [String: SynapseJSON] = ["hotkey": .string(axon.hotkey)]
        if let ip = axon.ip { axonInfo["ip"] = .string(ip) }
        if let port = axon.port { axonInfo["port"] = .int(port) }

        // The body is `Synapse.model_dump()` after the dendrite filled it in: the base fields in
        // declaration order (header_size and computed_body_hash left at their defaults, as the
        // SDK leaves them), then the subclass's fields.
        var body = SynapseJSON.Object([
            ("name", .string(synapse.name)),
            ("timeout", .float(timeoutSeconds)),
            ("total_size", .int(totalSize)),
            ("header_size", .int(0)),
            ("dendrite", AxonWire.terminal(dendrite)),
            ("axon", AxonWire.terminal(axonInfo)),
            ("computed_body_hash", .string("")),
        ])
        for entry in fields.entries { body[entry.key] = entry.value }

        // Headers in `Synapse.to_headers()` order.
        var headers: [(name: String, value: String)] = [
            (AxonWire.Header.name, synapse.name),
            (AxonWire.Header.timeout, PythonStr.floatRepr(timeoutSeconds)),
        ]
        if let ip = axon.ip { headers.append((AxonWire.Header.axonIP, ip)) }
        if let port = axon.port { headers.append((AxonWire.Header.axonPort, String(port))) }
        headers.append((AxonWire.Header.axonHotkey, axon.hotkey))
        if let externalIP { headers.append((AxonWire.Header.dendriteIP, externalIP)) }
        headers += [
            (AxonWire.Header.dendriteVersion, String(AxonWire.dendriteVersion)),
            (AxonWire.Header.dendriteNonce, String(nonce)),
            (AxonWire.Header.dendriteUUID, uuid),
            (AxonWire.Header.dendriteHotkey, dendriteHotkey),
            (AxonWire.Header.dendriteSignature, signature),
        ]
        let inputFields = synapse.headerInputFields ?? fields.keys
        for name in inputFields {
            guard let value = fields[name], let empty = Self.emptyValue(like: value) else { continue }
            headers.append((AxonWire.Header.inputPrefix + name, Data(empty.jsonBytes).base64EncodedString()))
        }
        let headerSize = headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
        headers += [
            (AxonWire.Header.headerSize, String(headerSize)),
            (AxonWire.Header.totalSize, String(totalSize)),
            (AxonWire.Header.computedBodyHash, bodyHash),
        ]
        return Request(path: "/" + synapse.name, headers: headers, body: SynapseJSON.object(body).jsonBytes,
                       nonce: nonce, bodyHash: bodyHash)
    }

    /// `json.dumps(type(value)())`: what the SDK puts in `bt_header_input_obj_<field>` so that
    /// the axon can validate a synapse built from headers alone. Nil for null (not sent).
    static func emptyValue(like value: SynapseJSON) -> SynapseJSON? {
        switch value {
        case .null: nil
        case .bool: .bool(false)
        case .int: .int("0")
        case .float: .float(0)
        case .string: .string("")
        case .array: .array([])
        case .object: .object(.init())
        }
    }
}

/// Why a plugin's request cannot be sent as a synapse.
package enum AxonSynapseError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidJSON(String)
    case notAnObject
    /// The request has a field the `Synapse` base class owns (`name`, `timeout`, …).
    case reservedField(String)

    package var description: String {
        switch self {
        case .invalidJSON(let reason): "the request is not JSON: \(reason)"
        case .notAnObject: "the request is not a JSON object"
        case .reservedField(let name): "the request field '\(name)' is reserved by bt.Synapse"
        }
    }
}

// MARK: - Replies

/// An axon's answer as the SDK's dendrite reads it (`process_server_response`).
package struct AxonReply: Sendable {
    /// The HTTP status.
    package var httpStatus: Int
    /// The synapse's status (the SDK's `synapse.dendrite.status_code`): the axon's
    /// `bt_header_axon_status_code` header, else the body's `axon.status_code` on 200, else the HTTP status.
    package var status: Int
    /// The axon's status message (header, else `axon.status_message` on 200, else the body's `message`).
    package var message: String?
    /// The whole synapse the axon sent back (on HTTP 200 with a JSON object body).
    package var synapse: SynapseJSON.Object?
    /// The axon's processing time in seconds, when it said.
    package var processTime: Double?
    /// Why a 200 body could not be read.
    package var decodingError: String?

    /// The miner answered and filled the synapse.
    package var isSuccess: Bool { status == 200 && synapse != nil }

    /// The synapse without the `bt.Synapse` base fields: what the plugin's response decodes from.
    package var responseFields: SynapseJSON.Object? {
        guard let synapse else { return nil }
        var fields = SynapseJSON.Object()
        for entry in synapse.entries where !AxonWire.envelopeKeys.contains(entry.key) { fields[entry.key] = entry.value }
        return fields
    }

    /// ``responseFields`` as JSON bytes.
    package var responseJSON: [UInt8]? { responseFields.map { SynapseJSON.object($0).jsonBytes } }

    /// Reads an axon's reply.
    package init(httpStatus: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        self.httpStatus = httpStatus
        let object = (try? SynapseJSON.parse(body))?.objectValue
        var bodyStatus: Int?
        var bodyMessage: String?
        if httpStatus == 200 {
            if let object {
                synapse = object
                let axon = object["axon"]?.objectValue
                bodyStatus = axon?["status_code"]?.int64Value.map { Int($0) }
                bodyMessage = axon?["status_message"]?.stringValue
                processTime = axon?["process_time"]?.doubleValue
            } else {
                decodingError = body.isEmpty ? "empty body" : "the body is not a JSON object"
            }
        } else {
            bodyMessage = object?["message"]?.stringValue
        }
        status = header(AxonWire.Header.axonStatusCode).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            ?? bodyStatus ?? httpStatus
        message = header(AxonWire.Header.axonStatusMessage) ?? bodyMessage
        if let time = header(AxonWire.Header.axonProcessTime).flatMap({ Double($0) }) { processTime = time }
    }
}
