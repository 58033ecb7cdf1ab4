import OrganicFramework
import Hummingbird
import Logging
import NIOCore

/// A reference miner as a fiber miner (rayonlabs' `fiber`, 1.x or 2.x), for validators that
/// use fiber's client.
///
/// - 1.x: `GET /public-encryption-key` (a fresh RSA-2048 key per start, as fiber's) and
///   `POST /exchange-symmetric-key` file a Fernet key per (validator, uuid); each endpoint's
///   request is then a Fernet token under that key, its signature covering the key's uuid.
/// - 2.x: each endpoint's request is plain JSON whose SHA-256 the signature covers.
///
/// Every request is opened by ``FiberMinerVerifier`` (fiber's checks with its statuses and
/// texts, plus: signed for this miner's hotkey), then served as in plain mode: each endpoint at
/// its `minerPath`, JSON or Server-Sent Events answers (fiber's answers are never encrypted),
/// the capacity gate, injected faults, and the capacity declaration when the plugin has one.
enum FiberMinerRoutes {
    static func register(_ handlers: [any MinerHandler], on router: Router<OrganicRequestContext>, state: ReferenceMinerServer.MinerState,
                         options: ReferenceMinerServer.Options, logger: Logger) {
        let version: FiberVersion = options.minerProtocol == .fiber1 ? .v1 : .v2
        var paths = handlers.map { $0.endpoint.descriptor.minerPath } + (version == .v1 ? [FiberWire.exchangePath] : [])
        if let declaration = options.capacityDeclaration { paths.append(declaration.minerPath) }
        guard let senders = options.senders else {
            ReferenceMinerServer.serveMisconfigured("\(version.rawValue) needs the miner's hotkey and its validators (Options.senders)",
                                                    paths: paths, on: router, logger: logger)
            return
        }
        var policy = FiberMinerVerifier.Policy(selfHotkey: senders.hotkey, version: version)
        policy.requireValidatorPermit = senders.requireValidatorPermit
        if let stake = senders.minimumStake { policy.minimumStake = stake }
        let verifier: FiberMinerVerifier
        do {
            verifier = try FiberMinerVerifier(policy: policy, directory: senders.directory)
        } catch {
            ReferenceMinerServer.serveMisconfigured("no RSA key for \(version.rawValue)'s handshake: \(error)", paths: paths, on: router, logger: logger)
            return
        }
        if version == .v1 {
            router.get(RouterPath(FiberWire.publicKeyPath)) { _, _ -> Response in
                .json(bytes: verifier.publicKeyAnswer())
            }
            router.post(RouterPath(FiberWire.exchangePath)) { request, _ -> Response in
                let body = try await ReferenceMinerServer.collectBody(of: request, limit: 64 << 10)
                _ = try verifier.exchange(headers: request.headers, body: Array(body.readableBytesView))
                return .json(bytes: #"{"status": "Symmetric key exchanged successfully"}"#.utf8)
            }
        }
        let read: ReferenceMinerServer.BodyReader = { request, limit in
            let sent = try await ReferenceMinerServer.collectBody(of: request, limit: version == .v1 ? tokenLimit(payloadLimit: limit) : limit)
            let opened = try verifier.open(headers: request.headers, body: Array(sent.readableBytesView))
            guard opened.payload.count <= limit else { throw APIError.bodyTooLarge(limit: limit) }
            return ByteBuffer(bytes: opened.payload)
        }
        for handler in handlers {
            ReferenceMinerServer.register(handler, on: router, state: state, options: options, read: read)
        }
        if let declaration = options.capacityDeclaration {
            ReferenceMinerServer.declareCapacity(declaration, on: router, capacities: ReferenceMinerServer.declaredCapacities(handlers, options: options),
                                                 read: read)
        }
    }

    /// The largest Fernet token carrying at most `payloadLimit` bytes: base64url of the version,
    /// time, IV, the AES-CBC ciphertext (padded to 16 bytes) and the HMAC.
    static func tokenLimit(payloadLimit: Int) -> Int {
        let raw = 1 + 8 + 16 + (payloadLimit / 16 + 1) * 16 + 32
        return (raw + 2) / 3 * 4
    }
}
