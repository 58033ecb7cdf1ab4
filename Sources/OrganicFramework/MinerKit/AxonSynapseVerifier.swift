package import OrganicFramework
import Foundation

/// The axon side of the SDK ≤ 10 protocol: checks a Dendrite's request the way bittensor 10.5's
/// `Axon` does (`default_verify` and `verify_body_integrity`), plus who may ask.
///
/// - the route names a served synapse;
/// - the signature over `"{nonce}.{dendrite_hotkey}.{our_hotkey}.{uuid}.{computed_body_hash}"`
///   verifies (a `bt_header_axon_hotkey` naming another axon is refused outright);
/// - `computed_body_hash` is the body's hash recomputed from the body;
/// - nonces: the first from a (hotkey, uuid) must be newer than now − 4 s − timeout, later ones
///   must exceed the last accepted one (the timeout header is not signed, so it is capped);
/// - the sender is registered in the directory, with a validator permit and enough stake when
///   the policy asks.
///
/// A nonce is recorded only once everything else passed, so unauthenticated traffic cannot
/// advance or fill the nonce table.
package final class AxonSynapseVerifier: Sendable {
    package struct Policy: Sendable {
        /// This axon's hotkey (SS58).
        package var selfHotkey: String
        /// The synapses served, by name.
        package var synapses: [String: AxonSynapse]
        /// How much older than now a first nonce may be, beyond the request's timeout (the SDK's 4 s).
        package var allowedDeltaSeconds: Double = 4
        /// Largest timeout credited to the first-nonce window (the header is not signed).
        package var maximumTimeoutSeconds: Double = 300
        /// How far ahead of now a nonce may be; nil accepts any, as the SDK does.
        package var maximumFutureSkewSeconds: Double?
        /// Senders must hold a validator permit.
        package var requireValidatorPermit = true
        /// Smallest stake (TAO) a sender must have.
        package var minimumStake: Double = 0
        /// Most (hotkey, uuid) pairs remembered at once.
        package var nonceTableCapacity = 100_000

        package init(selfHotkey: String, synapses: [AxonSynapse]) {
            self.selfHotkey = selfHotkey
            self.synapses = Dictionary(synapses.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// A request that passed.
    package struct Verified: Sendable {
        package var hotkey: String
        package var uid: UInt16?
        package var synapse: AxonSynapse
        /// The synapse as sent (base fields and the subclass's fields).
        package var request: SynapseJSON.Object
        package var nonce: UInt64
        package var uuid: String
        package var timeoutSeconds: Double

        /// The request without the `bt.Synapse` base fields: what the plugin's request decodes from.
        package var requestFields: SynapseJSON.Object {
            var fields = SynapseJSON.Object()
            for entry in request.entries where !AxonWire.envelopeKeys.contains(entry.key) { fields[entry.key] = entry.value }
            return fields
        }
    }

    package let policy: Policy
    let directory: SenderDirectory
    let clock: any NodeClock
    private let nonces: Locked<[String: UInt64]>

    package init(policy: Policy, directory: SenderDirectory, clock: any NodeClock = SystemNodeClock()) {
        self.policy = policy
        self.directory = directory
        self.clock = clock
        self.nonces = Locked([:])
    }

    /// Verifies a request given its path (query ignored), headers and raw body.
    package func verify(path: String, headers: [(name: String, value: String)], body: [UInt8]) throws(AxonRefusal) -> Verified {
        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        let name = AxonWire.synapseName(fromPath: path)
        guard let synapse = policy.synapses[name] else {
            throw AxonRefusal(.unknownSynapse, "Synapse name '\(name)' not found. Available synapses \(policy.synapses.keys.sorted())")
        }
        guard let hotkey = header(AxonWire.Header.dendriteHotkey), !hotkey.isEmpty,
              let nonceText = header(AxonWire.Header.dendriteNonce),
              let uuid = header(AxonWire.Header.dendriteUUID),
              let signatureText = header(AxonWire.Header.dendriteSignature), !signatureText.isEmpty
        else {
            throw AxonRefusal(.unsigned, "Missing dendrite hotkey, nonce, uuid or signature headers.")
        }
        guard let nonce = UInt64(nonceText) else { throw AxonRefusal(.malformedRequest, "The nonce is not a decimal integer.") }
        guard let signature = try? Hex.decode(signatureText) else { throw AxonRefusal(.malformedRequest, "The signature is not hex.") }
        guard let publicKey = try? SS58.decode(hotkey).publicKey else {
            throw AxonRefusal(.malformedRequest, "The dendrite hotkey is not an SS58 address.")
        }
        let timeoutSeconds: Double
        if let text = header(AxonWire.Header.timeout) {
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw AxonRefusal(.malformedRequest, "The timeout header is not a number.")
            }
            timeoutSeconds = value
        } else {
            timeoutSeconds = AxonWire.defaultTimeoutSeconds
        }
        if let receiver = header(AxonWire.Header.axonHotkey), receiver != policy.selfHotkey {
            throw AxonRefusal(.wrongReceiver, "The request is addressed to axon \(receiver), not this one.")
        }

        let nowNanos = Int64(clock.now().timeIntervalSince1970 * 1e9)
        if let skew = policy.maximumFutureSkewSeconds, Double(nonce) - Double(nowNanos) > skew * 1e9 {
            throw AxonRefusal(.nonceFromFuture, "The nonce is more than \(skew) s ahead of this axon's clock.")
        }

        let claimedHash = header(AxonWire.Header.computedBodyHash) ?? ""
        let message = AxonWire.signatureMessage(nonce: nonce, dendriteHotkey: hotkey, axonHotkey: policy.selfHotkey,
                                                uuid: uuid, bodyHash: claimedHash)
        // bittensor_wallet also accepts a signature over `<Bytes>message</Bytes>`.
        guard Sr25519.verifyAcceptingBytesWrapper(signature: signature, message: message, publicKey: publicKey) else {
            throw AxonRefusal(.badSignature, "Signature mismatch with \(String(decoding: message, as: UTF8.self))")
        }

        guard case .object(let request)? = try? SynapseJSON.parse(body) else {
            throw AxonRefusal(.malformedRequest, "The body is not a JSON object.")
        }
        let bodyHash = synapse.bodyHash(of: request)
        guard bodyHash == claimedHash else {
            throw AxonRefusal(.bodyHashMismatch, "Hash mismatch between header body hash \(claimedHash) and parsed body hash \(bodyHash)")
        }

        let neuron = try admit(hotkey)
        try record(hotkey: hotkey, uuid: uuid, nonce: nonce, timeoutSeconds: timeoutSeconds, nowNanos: nowNanos)
        return Verified(hotkey: hotkey, uid: neuron.uid, synapse: synapse, request: request, nonce: nonce, uuid: uuid,
                        timeoutSeconds: timeoutSeconds)
    }

    /// The SDK's nonce rule, checked and recorded atomically.
    func record(hotkey: String, uuid: String, nonce: UInt64, timeoutSeconds: Double, nowNanos: Int64) throws(AxonRefusal) {
        let key = hotkey + ":" + uuid
        let credited = min(max(timeoutSeconds, 0), policy.maximumTimeoutSeconds)
        let window = Int64((policy.allowedDeltaSeconds + credited) * 1e9)
        let oldest = nowNanos - window
        // Any entry whose last nonce is older than the widest window can go: a replay of it
        // would be refused as stale on first sight.
        let evictBefore = nowNanos - Int64((policy.allowedDeltaSeconds + policy.maximumTimeoutSeconds) * 1e9)
        let capacity = max(1, policy.nonceTableCapacity)
        let outcome: AxonRefusal? = nonces.withLock { table in
            if let last = table[key] {
                guard nonce > last else {
                    return AxonRefusal(.nonceNotIncreasing, "Nonce is too old, a newer one was last processed")
                }
            } else {
                guard Int64(clamping: nonce) > oldest else {
                    let age = Double(nowNanos - Int64(clamping: nonce)) / 1e9
                    return AxonRefusal(.staleNonce, "Nonce is too old: acceptable delta is \(Double(window) / 1e9) seconds but request was \(age) seconds old")
                }
                if table.count >= capacity {
                    table = table.filter { Int64(clamping: $0.value) >= evictBefore }
                    guard table.count < capacity else {
                        return AxonRefusal(.tooManySenders, "Too many recent dendrites; try again shortly.")
                    }
                }
            }
            table[key] = nonce
            return nil
        }
        if let outcome { throw outcome }
    }

    /// The sender's standing: registered, validator permit, stake.
    func admit(_ hotkey: String) throws(AxonRefusal) -> Neuron {
        let (loaded, neuron) = directory.lookup(hotkey: hotkey)
        guard loaded else { throw AxonRefusal(.metagraphUnavailable, "The axon has not loaded the metagraph yet.") }
        guard let neuron else { throw AxonRefusal(.unknownSender, "Hotkey \(hotkey) is not registered on the subnet.") }
        if policy.requireValidatorPermit && !neuron.validatorPermit {
            throw AxonRefusal(.noValidatorPermit, "Hotkey \(hotkey) does not hold a validator permit.")
        }
        if neuron.stake < policy.minimumStake {
            throw AxonRefusal(.insufficientStake, "Hotkey \(hotkey) has less than the minimum stake of \(policy.minimumStake) TAO.")
        }
        return neuron
    }
}

/// Why an axon refuses a request; `status` is what it answers with.
package struct AxonRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Reason: String, Sendable, CaseIterable {
        case unknownSynapse, malformedRequest, unsigned, wrongReceiver, badSignature, bodyHashMismatch
        case staleNonce, nonceNotIncreasing, nonceFromFuture
        case metagraphUnavailable, unknownSender, noValidatorPermit, insufficientStake, tooManySenders
    }

    package var reason: Reason
    package var message: String

    package init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The SDK's statuses: 404 unknown synapse, 400 unparsable, 401 not verified, 403 refused
    /// sender (its blacklist's answer). A body-hash mismatch is a 500 in the SDK (an exception in
    /// the route); here it is the client's fault, 400.
    package var status: Int {
        switch reason {
        case .unknownSynapse: 404
        case .malformedRequest, .bodyHashMismatch: 400
        case .unsigned, .wrongReceiver, .badSignature, .staleNonce, .nonceNotIncreasing, .nonceFromFuture: 401
        case .unknownSender, .noValidatorPermit, .insufficientStake: 403
        case .metagraphUnavailable, .tooManySenders: 503
        }
    }

    package var description: String { "\(status) \(reason.rawValue): \(message)" }
}

/// What an axon sends back, in the shape SDK 10 dendrites read.
package struct AxonResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    /// The request synapse with the miner's fields set over it and `axon.status_code` 200, as
    /// the SDK's `synapse_to_response` answers.
    package static func success(request: SynapseJSON.Object, answer: SynapseJSON.Object, processTime: Double) -> AxonResponse {
        var synapse = request
        for entry in answer.entries where !AxonWire.envelopeKeys.contains(entry.key) { synapse[entry.key] = entry.value }
        var axon = request["axon"]?.objectValue ?? (AxonWire.terminal([:]).objectValue ?? .init())
        axon["status_code"] = .int(200)
        axon["status_message"] = .string("Success")
        axon["process_time"] = .float(processTime)
        synapse["axon"] = .object(axon)
        var headers = [("Content-Type", "application/json")]
        for entry in axon.entries where entry.value != .null {
            headers.append((AxonWire.Header.axonPrefix + entry.key, headerSafe(PythonStr.str(entry.value))))
        }
        return AxonResponse(status: 200, headers: headers, body: SynapseJSON.object(synapse).jsonBytes)
    }

    /// A refusal: `{"message": …}` with the status in the body's status and headers, as the SDK's
    /// `create_error_response` answers.
    package static func failure(status: Int, message: String) -> AxonResponse {
        let body = SynapseJSON.object(SynapseJSON.Object([("message", .string(message))]))
        return AxonResponse(status: status, headers: [
            ("Content-Type", "application/json"),
            (AxonWire.Header.axonStatusCode, String(status)),
            (AxonWire.Header.axonStatusMessage, Self.headerSafe(message)),
        ], body: body.jsonBytes)
    }

    package static func refusal(_ refusal: AxonRefusal) -> AxonResponse {
        failure(status: refusal.status, message: refusal.message)
    }

    /// Header values cannot carry line breaks or other controls.
    static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
