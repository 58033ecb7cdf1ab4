package import AsyncHTTPClient
package import Foundation
import NIOCore
package import OrganicCrypto

/// The validator side of fiber's miner protocol: signs requests with fiber's headers and, for
/// 1.x, keeps one exchanged Fernet key per miner and encrypts every body with it.
///
/// Concurrent requests to a miner without a key share one handshake. A key is renewed when the
/// miner answers that it does not know it (it restarted, or dropped the key after 5 hours) and
/// the request is sent once more; and, before that happens, after ``Configuration/keyLifetime``.
package final class FiberClient: Sendable {
    package struct Configuration: Sendable {
        package var version: FiberVersion
        /// Both handshake steps together (fiber's own validator allows 3 s for each).
        package var handshakeTimeout: Duration = .seconds(6)
        /// Keys older than this are renewed before use; fiber's miners keep them 5 hours.
        package var keyLifetime: Duration = .seconds(4 * 3600)
        /// 1.x: add fiber's `"nonce"` field to JSON object payloads, as its validator does.
        package var addsPayloadNonce = true
        package var userAgent = "organic-validator/0.1"

        package init(version: FiberVersion) {
            self.version = version
        }
    }

    /// fiber 1.x answers 400 with this detail when it has no key under (hotkey, uuid).
    package static let unknownKeyDetail = "No symmetric key found"

    package let configuration: Configuration
    let clients: MinerHTTPClients
    let keypair: Sr25519Keypair
    let clock: any NodeClock

    private enum Entry {
        case ready(FiberSession)
        case pending(id: UInt64, Task<FiberSession, any Error>)
    }

    private struct State {
        var entries: [FiberMiner: Entry] = [:]
        var nextID: UInt64 = 0
        var handshakes = 0
    }

    private let state = Locked(State())

    package convenience init(http: HTTPClient, keypair: Sr25519Keypair, configuration: Configuration, clock: any NodeClock = SystemNodeClock()) {
        self.init(clients: MinerHTTPClients(http), keypair: keypair, configuration: configuration, clock: clock)
    }

    /// Sends each request with the client of the loop it is made from.
    package init(clients: MinerHTTPClients, keypair: Sr25519Keypair, configuration: Configuration, clock: any NodeClock = SystemNodeClock()) {
        self.clients = clients
        self.keypair = keypair
        self.configuration = configuration
        self.clock = clock
    }

    /// The validator hotkey (SS58) the requests are signed with.
    package var hotkey: String { keypair.ss58Address }

    /// Handshakes started so far (diagnostics and tests).
    package var handshakeCount: Int { state.withLock { $0.handshakes } }

    /// The key `miner` holds for us, exchanging a new one when none is cached or it is too old.
    package func session(for miner: FiberMiner) async throws(FiberError) -> FiberSession {
        let now = clock.now()
        let lifetime = configuration.keyLifetime.seconds
        enum Lookup { case ready(FiberSession), wait(UInt64, Task<FiberSession, any Error>) }
        let lookup: Lookup = state.withLock { state in
            switch state.entries[miner] {
            case .ready(let session) where now.timeIntervalSince(session.established) < lifetime:
                return .ready(session)
            case .pending(let id, let task):
                return .wait(id, task)
            default:
                let id = state.nextID
                state.nextID += 1
                state.handshakes += 1
                let task = Task { [clients, keypair, configuration] in
                    try await FiberHandshake.perform(client: clients.current, keypair: keypair, miner: miner, now: now,
                                                     timeout: configuration.handshakeTimeout, userAgent: configuration.userAgent)
                }
                state.entries[miner] = .pending(id: id, task)
                return .wait(id, task)
            }
        }
        switch lookup {
        case .ready(let session):
            return session
        case .wait(let id, let task):
            do {
                let session = try await task.value
                state.withLock { state in
                    if case .pending(id, _)? = state.entries[miner] { state.entries[miner] = .ready(session) }
                }
                return session
            } catch {
                state.withLock { state in
                    if case .pending(id, _)? = state.entries[miner] { state.entries[miner] = nil }
                }
                throw error as? FiberError ?? .transport(step: .publicKey, String(describing: error))
            }
        }
    }

    /// Drops the cached key of `miner` (only if it is still `uuid`, when given), so that the
    /// next request exchanges a new one.
    package func forget(_ miner: FiberMiner, uuid: String? = nil) {
        state.withLock { state in
            guard case .ready(let session)? = state.entries[miner] else { return }
            if uuid == nil || session.uuid == uuid { state.entries[miner] = nil }
        }
    }

    /// The request as fiber's validator sends it: `POST` with the signed headers and, for 1.x,
    /// the body as a Fernet token under `session` (`application/octet-stream`). `now` stamps the
    /// nonce and the token.
    package func request(_ body: [UInt8], to miner: FiberMiner, path: String, session: FiberSession?,
                         accept: String = "application/json", now: Date? = nil) -> HTTPClientRequest {
        let now = now ?? clock.now()
        let nanoseconds = FiberWire.nanoseconds(now)
        var request = HTTPClientRequest(url: miner.url(path))
        request.method = .POST
        let headers: [(name: String, value: String)]
        let sent: [UInt8]
        switch configuration.version {
        case .v1:
            guard let session else { preconditionFailure("fiber 1.x requests need an exchanged key") }
            var payload = body
            if configuration.addsPayloadNonce {
                payload = FiberWire.addingPayloadNonce(body, nonce: FiberWire.nonce(nowNanoseconds: nanoseconds))
            }
            sent = Array(session.fernet.encrypt(payload, at: now).utf8)
            headers = FiberWire.signedHeaders(version: .v1, keypair: keypair, minerHotkey: miner.hotkey,
                                              nonce: FiberWire.nonce(nowNanoseconds: nanoseconds),
                                              symmetricKeyUUID: session.uuid, contentType: "application/octet-stream")
        case .v2:
            sent = body
            headers = FiberWire.signedHeaders(version: .v2, keypair: keypair, minerHotkey: miner.hotkey,
                                              nonce: FiberWire.nonce(nowNanoseconds: nanoseconds), body: body,
                                              contentType: "application/json")
        }
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        request.body = .bytes(ByteBuffer(bytes: sent))
        return request
    }

    /// Sends `body` to `path` on `miner` and returns the answer's head, its body still to be
    /// read (answers are plain JSON or Server-Sent Events in both versions). For 1.x the key is
    /// exchanged first when needed, and renewed once when the miner no longer knows it.
    /// Throws ``FiberError`` for a failed handshake, and the HTTP client's errors otherwise.
    package func execute(_ body: [UInt8], to miner: FiberMiner, path: String, accept: String = "application/json",
                         timeout: Duration) async throws -> HTTPClientResponse {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        guard configuration.version == .v1 else {
            return try await clients.current.execute(request(body, to: miner, path: path, session: nil, accept: accept), deadline: deadline)
        }
        var renewed = false
        while true {
            let session = try await session(for: miner)
            guard NIODeadline.now() < deadline else { throw HTTPClientError.deadlineExceeded }
            let response = try await clients.current.execute(request(body, to: miner, path: path, session: session, accept: accept), deadline: deadline)
            guard response.status == .badRequest else { return response }
            // Read the refusal to tell "unknown key" from the endpoint's own 400s; hand the
            // latter back with the bytes already read (at most 4 KiB and a chunk).
            var refusal = ByteBuffer()
            for try await chunk in response.body {
                refusal.writeImmutableBuffer(chunk)
                if refusal.readableBytes >= 4096 { break }
            }
            guard String(buffer: refusal).contains(Self.unknownKeyDetail), !renewed else {
                return HTTPClientResponse(version: response.version, status: response.status, headers: response.headers,
                                          body: .bytes(refusal))
            }
            forget(miner, uuid: session.uuid)
            renewed = true
        }
    }
}
