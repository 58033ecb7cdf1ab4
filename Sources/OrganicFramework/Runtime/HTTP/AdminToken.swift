import Foundation
import HTTPTypes
import Hummingbird

/// The admin token, held only as SHA-256 digests and compared in constant time.
struct AdminToken: Sendable {
    let digests: [KeyDigest]

    /// From `admin.token` (plain) and/or `admin.tokenSha256` (hex); empty means none is set.
    init(token: String, tokenSha256: String) throws(ConfigurationError) {
        var digests: [KeyDigest] = []
        if !token.isEmpty {
            guard token.count >= 16 else { throw ConfigurationError("admin.token must be at least 16 characters") }
            digests.append(APIKeyFormat.hash(of: token))
        }
        if !tokenSha256.isEmpty {
            let hex = Array(tokenSha256.lowercased().utf8)
            guard hex.count == 64 else { throw ConfigurationError("admin.tokenSha256 must be 64 hex digits") }
            var bytes: [UInt8] = []
            for index in stride(from: 0, to: 64, by: 2) {
                guard let byte = UInt8(String(decoding: hex[index..<index + 2], as: UTF8.self), radix: 16) else {
                    throw ConfigurationError("admin.tokenSha256 must be 64 hex digits")
                }
                bytes.append(byte)
            }
            if let digest = KeyDigest(bytes: bytes) { digests.append(digest) }
        }
        self.digests = digests
    }

    var isConfigured: Bool { !digests.isEmpty }

    func accepts(_ presented: String) -> Bool {
        guard presented.utf8.count <= 1024 else { return false }
        let digest = APIKeyFormat.hash(of: presented)
        var accepted = false
        for candidate in digests where candidate.constantTimeEquals(digest) { accepted = true }
        return accepted
    }
}

/// Refuses admin requests without the admin token (`Authorization: Bearer` or `X-Admin-Token`).
struct AdminTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// What happens when no token is configured.
    enum Unconfigured {
        /// Refuse with 503 (key management never runs unauthenticated).
        case refuse
        /// Let the request through (read-only reports on a loopback-bound admin API).
        case allow
    }

    let token: AdminToken
    var unconfigured = Unconfigured.refuse

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard token.isConfigured else {
            if unconfigured == .allow { return try await next(request, context) }
            throw APIError(.serviceUnavailable, code: "admin_token_not_configured",
                           message: "Set admin.token (ORGANIC_ADMIN_TOKEN) to manage keys over the admin API.")
        }
        let presented = KeyAuthenticator.presentedKey(authorization: request.headers[.authorization],
                                                      apiKeyHeader: HTTPField.Name("X-Admin-Token").flatMap { request.headers[$0] })
        guard let presented, token.accepts(presented) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = #"Bearer realm="organic-admin""#
            throw APIError(.unauthorized, code: "invalid_admin_token", message: "A valid admin token is required.", headers: headers)
        }
        return try await next(request, context)
    }
}
