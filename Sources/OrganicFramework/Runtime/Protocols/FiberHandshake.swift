package import AsyncHTTPClient
package import Foundation
import NIOCore
package import OrganicCrypto
import _CryptoExtras

/// A Fernet key that a fiber 1.x miner accepted, and the uuid it is filed under there.
package struct FiberSession: Sendable, Equatable {
    package let fernet: Fernet
    /// 64 hex characters, as fiber's validator makes it (`os.urandom(32).hex()`).
    package let uuid: String
    /// When the miner accepted it.
    package let established: Date

    package static func == (a: FiberSession, b: FiberSession) -> Bool {
        a.uuid == b.uuid && a.fernet.key == b.fernet.key && a.established == b.established
    }
}

/// fiber 1.x's key exchange, validator side:
/// 1. `GET /public-encryption-key` → `{"public_key": "<SPKI PEM>", "timestamp": <float>}` (a fresh
///    RSA-2048 key each time the miner starts);
/// 2. `POST /exchange-symmetric-key` with `{"encrypted_symmetric_key": base64(RSA-OAEP-SHA256(32
///    random bytes))}` (standard base64) and the signed headers over a new key uuid. The miner
///    files the key under (our hotkey, uuid); its Fernet key is those 32 bytes.
package enum FiberHandshake {
    /// What `GET /public-encryption-key` answers.
    package struct PublicKeyResponse: Decodable, Sendable {
        package var publicKey: String
        package var timestamp: Double

        enum CodingKeys: String, CodingKey {
            case publicKey = "public_key"
            case timestamp
        }
    }

    /// The RSA-OAEP-SHA256 encryption of `key` to the miner's PEM public key (SPKI or PKCS#1, ≥ 2048 bits).
    package static func encryptKey(_ key: [UInt8], toPEM pem: String) throws(FiberError) -> [UInt8] {
        do {
            let publicKey = try _RSA.Encryption.PublicKey(pemRepresentation: pem)
            return Array(try publicKey.encrypt(key, padding: .PKCS1_OAEP_SHA256))
        } catch {
            throw .invalidPublicKey(String(describing: error))
        }
    }

    /// The JSON body of `POST /exchange-symmetric-key`.
    package static func exchangeBody(encryptedKey: [UInt8]) -> [UInt8] {
        // Standard base64 needs no JSON escaping.
        Array("{\"encrypted_symmetric_key\": \"\(Data(encryptedKey).base64EncodedString())\"}".utf8)
    }

    /// A new key uuid: 64 hex characters.
    package static func newKeyUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Runs both steps against `miner` and returns the session it accepted.
    package static func perform(client: HTTPClient, keypair: Sr25519Keypair, miner: FiberMiner, now: Date,
                                timeout: Duration, userAgent: String) async throws(FiberError) -> FiberSession {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        var get = HTTPClientRequest(url: miner.url(FiberWire.publicKeyPath))
        get.method = .GET
        get.headers.add(name: "User-Agent", value: userAgent)
        let keyAnswer = try await execute(get, client: client, deadline: deadline, step: .publicKey)
        let pem: String
        do {
            pem = try JSONDecoder().decode(PublicKeyResponse.self, from: Data(keyAnswer)).publicKey
        } catch {
            throw .invalidPublicKey("not fiber's public-key answer: \(error)")
        }
        let fernet = Fernet.generate()
        let uuid = newKeyUUID()
        let body = exchangeBody(encryptedKey: try encryptKey(fernet.key, toPEM: pem))

        var post = HTTPClientRequest(url: miner.url(FiberWire.exchangePath))
        post.method = .POST
        post.headers.add(name: "User-Agent", value: userAgent)
        let nonce = FiberWire.nonce(nowNanoseconds: FiberWire.nanoseconds(now))
        for header in FiberWire.signedHeaders(version: .v1, keypair: keypair, minerHotkey: miner.hotkey, nonce: nonce,
                                              symmetricKeyUUID: uuid, contentType: "application/json") {
            post.headers.add(name: header.name, value: header.value)
        }
        post.body = .bytes(ByteBuffer(bytes: body))
        _ = try await execute(post, client: client, deadline: deadline, step: .keyExchange)
        return FiberSession(fernet: fernet, uuid: uuid, established: now)
    }

    static let answerLimit = 64 * 1024

    static func execute(_ request: HTTPClientRequest, client: HTTPClient, deadline: NIODeadline,
                        step: FiberError.HandshakeStep) async throws(FiberError) -> [UInt8] {
        do {
            let response = try await client.execute(request, deadline: deadline)
            let body = try await response.body.collect(upTo: answerLimit)
            let bytes = Array(body.readableBytesView)
            guard response.status.code == 200 else {
                throw FiberError.refused(step: step, status: Int(response.status.code),
                                         body: String(decoding: bytes.prefix(minerRefusalBodyLimit), as: UTF8.self))
            }
            return bytes
        } catch let error as FiberError {
            throw error
        } catch {
            throw .transport(step: step, String(describing: error))
        }
    }
}

/// A fiber miner to address: its base URL (`http://ip:port`) and hotkey.
package struct FiberMiner: Sendable, Hashable {
    package var baseURL: String
    package var hotkey: String

    package init(baseURL: String, hotkey: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.hotkey = hotkey
    }

    /// The miner as the metagraph lists it; nil without an address.
    package init?(_ neuron: Neuron) {
        guard let url = neuron.url else { return nil }
        self.init(baseURL: url, hotkey: neuron.hotkey)
    }

    func url(_ path: String) -> String {
        baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }
}

/// Why a fiber exchange failed before the miner's answer to the request itself.
package enum FiberError: Error, Equatable, Sendable {
    package enum HandshakeStep: String, Sendable {
        case publicKey = "public-encryption-key"
        case keyExchange = "exchange-symmetric-key"
    }

    /// The miner answered a handshake step with this status (and the first bytes of its body).
    case refused(step: HandshakeStep, status: Int, body: String)
    /// The miner's public key could not be read or used.
    case invalidPublicKey(String)
    /// A handshake step failed on the network (connection, deadline).
    case transport(step: HandshakeStep, String)
}
