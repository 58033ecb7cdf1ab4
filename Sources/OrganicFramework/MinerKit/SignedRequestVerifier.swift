public import OrganicFramework
public import Hummingbird
import Foundation
import HTTPTypes
import OrganicCrypto

/// Checks that a request to a miner comes from a registered validator: btauth/1 or
/// Epistula v2 signature, receiver is this miner, freshness, no replay, and the sender's
/// standing in the metagraph. Every failure is an ``APIError`` with its own stable code.
public final class SignedRequestVerifier: Sendable {
    public struct Policy: Sendable {
        /// This miner's hotkey (SS58): requests must be addressed to it.
        public var selfHotkey: String
        /// btauth/1: oldest accepted nonce, in seconds.
        public var btauthMaxAgeSeconds: Double = 10
        /// btauth/1: how far in the future a nonce may be (clock skew), in seconds.
        public var btauthAllowedSkewSeconds: Double = 2
        /// Epistula: accepted distance of the timestamp from now, in seconds (either side).
        public var epistulaWindowSeconds: Double = 8
        /// Senders must hold a validator permit.
        public var requireValidatorPermit = true
        /// Smallest stake (TAO) a sender must have.
        public var minimumStake: Double = 0
        /// Most (hotkey, nonce) pairs remembered at once.
        public var replayCacheCapacity = 100_000

        public init(selfHotkey: String) {
            self.selfHotkey = selfHotkey
        }
    }

    /// Who sent a verified request.
    public struct Sender: Sendable, Equatable {
        public var hotkey: String
        public var uid: UInt16?
        public var standard: RequestSigningScheme
    }

    public let policy: Policy
    let directory: SenderDirectory
    let clock: any NodeClock
    let replays: ReplayCache

    public init(policy: Policy, directory: SenderDirectory, clock: any NodeClock = SystemNodeClock()) {
        self.policy = policy
        self.directory = directory
        self.clock = clock
        self.replays = ReplayCache(capacity: policy.replayCacheCapacity)
    }

    /// Verifies a request given its method, raw target (path plus query), headers and raw body.
    public func verify(method: String, pathAndQuery: String, headers: HTTPFields, body: [UInt8]) throws(APIError) -> Sender {
        let nowNanos = Int64(clock.now().timeIntervalSince1970 * 1e9)
        if Self.header(headers, BTAuth.headerVersion) != nil || Self.header(headers, BTAuth.headerSignature) != nil {
            return try verifyBTAuth(method: method, pathAndQuery: pathAndQuery, headers: headers, body: body, nowNanos: nowNanos)
        }
        if Self.header(headers, Epistula.headerVersion) != nil || Self.header(headers, Epistula.headerSignature) != nil {
            return try verifyEpistula(headers: headers, body: body, nowNanos: nowNanos)
        }
        throw Self.failure(.unauthorized, "auth_missing", "The request is not signed (btauth/1 or Epistula v2 headers expected).")
    }

    func verifyBTAuth(method: String, pathAndQuery: String, headers: HTTPFields, body: [UInt8], nowNanos: Int64) throws(APIError) -> Sender {
        guard Self.header(headers, BTAuth.headerVersion) == BTAuth.version else {
            throw Self.failure(.unauthorized, "auth_unsupported_version", "Missing or unsupported \(BTAuth.headerVersion) (expected 1).")
        }
        guard let sender = Self.header(headers, BTAuth.headerHotkey), !sender.isEmpty else {
            throw Self.failure(.unauthorized, "auth_malformed", "Missing \(BTAuth.headerHotkey).")
        }
        guard let nonceText = Self.header(headers, BTAuth.headerNonce), let nonce = Int64(nonceText), nonce >= 0 else {
            throw Self.failure(.unauthorized, "auth_malformed", "\(BTAuth.headerNonce) is missing or not a decimal integer.")
        }
        let scheme: BTAuth.Scheme
        if let value = Self.header(headers, BTAuth.headerCrypto) {
            guard let parsed = BTAuth.Scheme(headerValue: value) else {
                throw Self.failure(.unauthorized, "auth_malformed", "Unsupported \(BTAuth.headerCrypto).")
            }
            scheme = parsed
        } else {
            scheme = .sr25519
        }
        guard let signatureText = Self.header(headers, BTAuth.headerSignature), let signature = try? Hex.decode(signatureText) else {
            throw Self.failure(.unauthorized, "auth_malformed", "\(BTAuth.headerSignature) is missing or not hex.")
        }
        guard let receiver = Self.header(headers, BTAuth.headerReceiver), receiver == policy.selfHotkey else {
            throw Self.failure(.unauthorized, "auth_wrong_receiver", "The request was not signed for this miner's hotkey.")
        }
        if Double(nowNanos) - Double(nonce) > policy.btauthMaxAgeSeconds * 1e9 {
            throw Self.failure(.unauthorized, "auth_stale", "The nonce is older than the \(policy.btauthMaxAgeSeconds) s freshness window.")
        }
        if Double(nonce) - Double(nowNanos) > policy.btauthAllowedSkewSeconds * 1e9 {
            throw Self.failure(.unauthorized, "auth_from_future", "The nonce is more than \(policy.btauthAllowedSkewSeconds) s in the future.")
        }
        let payload = BTAuthMessage.canonical(scheme: scheme, method: method, pathAndQuery: pathAndQuery, body: body,
                                              nonceNanoseconds: UInt64(nonce), senderSS58: sender, receiverSS58: receiver)
        guard let publicKey = try? SS58.decode(sender).publicKey else {
            throw Self.failure(.unauthorized, "auth_malformed", "\(BTAuth.headerHotkey) is not a valid SS58 address.")
        }
        let valid = switch scheme {
        case .sr25519: Sr25519.verify(signature: signature, message: payload, publicKey: publicKey)
        case .ed25519: Ed25519Signer.verify(signature: signature, message: payload, publicKey: publicKey)
        }
        guard valid else {
            throw Self.failure(.unauthorized, "auth_bad_signature", "The signature does not verify against the claimed hotkey.")
        }
        let neuron = try admit(sender)
        let expires = nonce &+ Int64(policy.btauthMaxAgeSeconds * 1e9)
        try remember(sender, nonce: nonceText, expiresAtNanos: max(expires, nowNanos &+ Int64(policy.btauthAllowedSkewSeconds * 1e9)), nowNanos: nowNanos)
        return Sender(hotkey: sender, uid: neuron.uid, standard: .btauth)
    }

    func verifyEpistula(headers: HTTPFields, body: [UInt8], nowNanos: Int64) throws(APIError) -> Sender {
        guard Self.header(headers, Epistula.headerVersion) == Epistula.version else {
            throw Self.failure(.unauthorized, "auth_unsupported_version", "Missing or unsupported \(Epistula.headerVersion) (expected 2).")
        }
        guard let sender = Self.header(headers, Epistula.headerSignedBy), !sender.isEmpty,
              let uuid = Self.header(headers, Epistula.headerUUID), !uuid.isEmpty,
              let timestampText = Self.header(headers, Epistula.headerTimestamp), let timestamp = UInt64(timestampText),
              let signatureText = Self.header(headers, Epistula.headerSignature), let signature = try? Hex.decode(signatureText)
        else {
            throw Self.failure(.unauthorized, "auth_malformed", "Epistula headers are missing or malformed.")
        }
        guard let receiver = Self.header(headers, Epistula.headerSignedFor), receiver == policy.selfHotkey else {
            throw Self.failure(.unauthorized, "auth_wrong_receiver", "The request was not signed for this miner's hotkey.")
        }
        let window = policy.epistulaWindowSeconds * 1e9
        let distance = Double(nowNanos) - Double(timestamp) * 1e6
        if distance > window {
            throw Self.failure(.unauthorized, "auth_stale", "The timestamp is older than \(policy.epistulaWindowSeconds) s.")
        }
        if -distance > window {
            throw Self.failure(.unauthorized, "auth_from_future", "The timestamp is more than \(policy.epistulaWindowSeconds) s in the future.")
        }
        guard let publicKey = try? SS58.decode(sender).publicKey else {
            throw Self.failure(.unauthorized, "auth_malformed", "\(Epistula.headerSignedBy) is not a valid SS58 address.")
        }
        let message = Epistula.message(body: body, uuid: uuid, timestampMilliseconds: timestamp, signedFor: receiver)
        guard Sr25519.verify(signature: signature, message: message, publicKey: publicKey) else {
            throw Self.failure(.unauthorized, "auth_bad_signature", "The signature does not verify against the claimed hotkey.")
        }
        let neuron = try admit(sender)
        let expires = Int64(timestamp) &* 1_000_000 &+ Int64(window)
        try remember(sender, nonce: uuid, expiresAtNanos: max(expires, nowNanos), nowNanos: nowNanos)
        return Sender(hotkey: sender, uid: neuron.uid, standard: .epistula)
    }

    /// The sender's standing: registered, validator permit, stake.
    func admit(_ hotkey: String) throws(APIError) -> Neuron {
        let (loaded, neuron) = directory.lookup(hotkey: hotkey)
        guard loaded else {
            throw APIError.unavailable("auth_metagraph_unavailable", "The miner has not loaded the metagraph yet.", retryAfter: 5)
        }
        guard let neuron else {
            throw Self.failure(.forbidden, "auth_unknown_sender", "The sender's hotkey is not registered on the subnet.")
        }
        if policy.requireValidatorPermit && !neuron.validatorPermit {
            throw Self.failure(.forbidden, "auth_no_validator_permit", "The sender does not hold a validator permit.")
        }
        if neuron.stake < policy.minimumStake {
            throw Self.failure(.forbidden, "auth_insufficient_stake", "The sender's stake is below this miner's minimum of \(policy.minimumStake) TAO.")
        }
        return neuron
    }

    /// Records the nonce only after everything else passed, so unauthenticated traffic
    /// cannot fill the cache or block a legitimate sender's nonce.
    func remember(_ hotkey: String, nonce: String, expiresAtNanos: Int64, nowNanos: Int64) throws(APIError) {
        switch replays.insert(hotkey: hotkey, nonce: nonce, expiresAtNanos: expiresAtNanos, nowNanos: nowNanos) {
        case .fresh: return
        case .replayed:
            throw Self.failure(.unauthorized, "auth_replayed", "This (hotkey, nonce) was already used.")
        case .full:
            throw APIError.unavailable("auth_replay_cache_full", "Too many recent signed requests; try again shortly.", retryAfter: 1)
        }
    }

    static func header(_ headers: HTTPFields, _ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return headers[field]
    }

    static func failure(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> APIError {
        APIError(status, code: code, message: message)
    }
}

extension SignedRequestVerifier {
    /// Convenience for callers outside an HTTP framework: headers as name/value pairs.
    public func verify(method: String, pathAndQuery: String, headers: [(name: String, value: String)], body: [UInt8]) throws(APIError) -> Sender {
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return try verify(method: method, pathAndQuery: pathAndQuery, headers: fields, body: body)
    }
}
