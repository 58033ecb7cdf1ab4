package import OrganicFramework
import Foundation
package import HTTPTypes
import OrganicCrypto
import _CryptoExtras

/// The miner side of fiber's protocol, for serving fiber validators: fiber's checks in fiber's
/// order, with its statuses and `detail` texts (validators match on them), plus two things fiber
/// lacks: requests must be signed for this miner's hotkey, and a nonce is only recorded once
/// its signature verified (fiber records it first, so forged requests can burn nonces).
///
/// Order: sender registered and staked (403) → nonce format and ±120 s (401) → receiver (401)
/// → signature (401) → replay (401) → for 1.x the key under (sender, uuid) (400) and the token.
package final class FiberMinerVerifier: Sendable {
    package struct Policy: Sendable {
        package var selfHotkey: String
        package var version: FiberVersion
        /// fiber's `MIN_STAKE_THRESHOLD` default, in TAO.
        package var minimumStake: Double = 1000
        /// fiber checks stake only.
        package var requireValidatorPermit = false
        package var nonceWindowSeconds: Double = 120
        package var keyLifetime: Duration = FiberWire.minerKeyLifetime
        /// Exchanged keys kept per validator; the oldest goes first.
        package var keysPerValidator = 16
        package var replayCacheCapacity = 100_000

        package init(selfHotkey: String, version: FiberVersion) {
            self.selfHotkey = selfHotkey
            self.version = version
        }
    }

    package struct Sender: Sendable, Equatable {
        package var hotkey: String
        package var uid: UInt16
    }

    package let policy: Policy
    let directory: SenderDirectory
    let clock: any NodeClock
    let replays: ReplayCache
    /// The RSA key as DER: swift-crypto's key type is not Sendable; parsing it is cheap next to
    /// the RSA decryption, and happens once per key exchange.
    let privateKeyDER: [UInt8]
    let publicKeyPEM: String

    private struct FiledKey {
        var fernet: Fernet
        var expires: Date
    }

    private let keys = Locked<[String: [String: FiledKey]]>([:])

    /// For 1.x a new RSA-2048 key is made, as fiber does at every start.
    package init(policy: Policy, directory: SenderDirectory, clock: any NodeClock = SystemNodeClock()) throws {
        self.policy = policy
        self.directory = directory
        self.clock = clock
        self.replays = ReplayCache(capacity: policy.replayCacheCapacity)
        if policy.version == .v1 {
            let key = try _RSA.Encryption.PrivateKey(keySize: .bits2048)
            privateKeyDER = Array(key.derRepresentation)
            publicKeyPEM = key.publicKey.pemRepresentation
        } else {
            privateKeyDER = []
            publicKeyPEM = ""
        }
    }

    /// The body of `GET /public-encryption-key`: `{"public_key": "<SPKI PEM>", "timestamp": <seconds>}`.
    package func publicKeyAnswer() -> [UInt8] {
        let object: [String: Any] = ["public_key": publicKeyPEM, "timestamp": clock.now().timeIntervalSince1970]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    /// `POST /exchange-symmetric-key` (1.x): checks the signed headers, decrypts the key and files
    /// it under (sender, `symmetric-key-uuid`).
    package func exchange(headers: HTTPFields, body: [UInt8]) throws(APIError) -> Sender {
        let uuid = try require(headers, FiberWire.headerSymmetricKeyUUID)
        let sender = try verify(headers: headers, message: { FiberWire.message(nonce: $0, minerHotkey: $1, symmetricKeyUUID: uuid) })
        struct Exchange: Decodable { var encrypted_symmetric_key: String }
        guard policy.version == .v1,
              let exchange = try? JSONDecoder().decode(Exchange.self, from: Data(body)),
              let encrypted = Data(base64Encoded: exchange.encrypted_symmetric_key, options: .ignoreUnknownCharacters),
              let privateKey = try? _RSA.Encryption.PrivateKey(derRepresentation: privateKeyDER),
              let key = try? privateKey.decrypt(encrypted, padding: .PKCS1_OAEP_SHA256),
              let fernet = try? Fernet(key: Array(key))
        else {
            throw APIError(.unauthorized, code: "fiber_bad_key_exchange", message: "Oi, I can't decrypt that symmetric key, sorry")
        }
        let now = clock.now()
        let expires = now.addingTimeInterval(policy.keyLifetime.seconds)
        let limit = max(1, policy.keysPerValidator)
        keys.withLock { keys in
            var filed = keys[sender.hotkey, default: [:]].filter { $0.value.expires > now }
            while filed.count >= limit, let oldest = filed.min(by: { $0.value.expires < $1.value.expires }) {
                filed[oldest.key] = nil
            }
            filed[uuid] = FiledKey(fernet: fernet, expires: expires)
            keys[sender.hotkey] = filed
        }
        return sender
    }

    /// A request to one of the miner's endpoints: checks the signed headers and returns the JSON
    /// payload (1.x: decrypted with the key filed under (sender, uuid)).
    package func open(headers: HTTPFields, body: [UInt8]) throws(APIError) -> (sender: Sender, payload: [UInt8]) {
        switch policy.version {
        case .v2:
            let sender = try verify(headers: headers, message: { FiberWire.message(nonce: $0, minerHotkey: $1, body: body) })
            return (sender, body)
        case .v1:
            let uuid = try require(headers, FiberWire.headerSymmetricKeyUUID)
            let sender = try verify(headers: headers, message: { FiberWire.message(nonce: $0, minerHotkey: $1, symmetricKeyUUID: uuid) })
            let now = clock.now()
            let filed = keys.withLock { $0[sender.hotkey]?[uuid] }
            guard let filed, filed.expires > now else {
                throw APIError(.badRequest, code: "fiber_unknown_key", message: "No symmetric key found for that hotkey and uuid")
            }
            do {
                return (sender, try filed.fernet.decrypt(body))
            } catch {
                throw APIError(.badRequest, code: "fiber_bad_token", message: "The body is not a Fernet token under the exchanged key (\(error)).")
            }
        }
    }

    /// fiber's header checks; `message` builds the signed text from the nonce and miner hotkey.
    func verify(headers: HTTPFields, message: (String, String) -> String) throws(APIError) -> Sender {
        let hotkey = try require(headers, FiberWire.headerValidatorHotkey)
        let signature = try require(headers, FiberWire.headerSignature)
        let receiver = try require(headers, FiberWire.headerMinerHotkey)
        let nonce = try require(headers, FiberWire.headerNonce)
        let (loaded, neuron) = directory.lookup(hotkey: hotkey)
        guard loaded else {
            throw APIError.unavailable("fiber_metagraph_unavailable", "The miner has not loaded the metagraph yet.", retryAfter: 5)
        }
        guard let neuron else { throw APIError(.forbidden, code: "fiber_unknown_sender", message: "Hotkey not found in metagraph") }
        if neuron.stake < policy.minimumStake || (policy.requireValidatorPermit && !neuron.validatorPermit) {
            throw APIError(.forbidden, code: "fiber_insufficient_stake", message: "Insufficient stake of \(neuron.stake) ")
        }
        // fiber: the part before the first '_' is an integer below 10^20, within the window.
        let nowNanos = Double(clock.now().timeIntervalSince1970) * 1e9
        let stamp = nonce.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false).first.flatMap { Int64($0) }
        guard let stamp, abs(nowNanos - Double(stamp)) <= policy.nonceWindowSeconds * 1e9 else {
            throw APIError(.unauthorized, code: "fiber_bad_nonce", message: "Oi, that nonce is not valid!")
        }
        guard receiver == policy.selfHotkey else {
            throw APIError(.unauthorized, code: "fiber_wrong_receiver", message: "The request was not signed for this miner's hotkey.")
        }
        guard FiberWire.verify(signature: signature, message: message(nonce, receiver), signerSS58: hotkey) else {
            throw APIError(.unauthorized, code: "fiber_bad_signature", message: "Oi, invalid signature, you're not who you said you were!")
        }
        let window = Int64(policy.nonceWindowSeconds * 1e9)
        switch replays.insert(hotkey: hotkey, nonce: nonce, expiresAtNanos: max(stamp, Int64(nowNanos)) &+ window, nowNanos: Int64(nowNanos)) {
        case .fresh: break
        case .replayed: throw APIError(.unauthorized, code: "fiber_replayed", message: "Oi, that nonce is not valid!")
        case .full: throw APIError.unavailable("fiber_replay_cache_full", "Too many recent signed requests; try again shortly.", retryAfter: 1)
        }
        return Sender(hotkey: hotkey, uid: neuron.uid)
    }

    func require(_ headers: HTTPFields, _ name: String) throws(APIError) -> String {
        guard let field = HTTPField.Name(name), let value = headers[field] else {
            throw APIError(.unprocessableContent, code: "fiber_missing_header", message: "Missing header \(name).", field: name)
        }
        return value
    }
}
