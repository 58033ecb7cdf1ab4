public import Hummingbird
import Foundation
import NIOCore

/// An error returned to an API caller as `{"error": {"code", "message", "type", "param", "field"?}}`.
///
/// `code` is stable and meant for programs; `message` is for people. `type` and `param` are
/// OpenAI's names (the error class, and the field at fault or null), so that OpenAI clients
/// raise the right exception. Internal details never appear: a 5xx carries a generic message and
/// the request id, and the cause is logged.
public struct APIError: Error, Sendable, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    /// Extra response headers, such as `Retry-After`.
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try DirectJSONEncoder().encode(ErrorBody(self))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Codable {
        struct Detail: Codable {
            var code: String
            var message: String
            var type: String
            /// Always present (null when no field is at fault), as OpenAI sends it.
            var param: String?
            var field: String?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(code, forKey: .code)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                try container.encode(param, forKey: .param)
                try container.encodeIfPresent(field, forKey: .field)
            }
        }
        var error: Detail

        init(_ error: APIError) {
            self.error = Detail(code: error.code, message: error.message, type: error.type, param: error.field, field: error.field)
        }
    }

    /// OpenAI's error class for the status.
    var type: String {
        switch status.code {
        case 400, 404, 409, 413, 415, 422: "invalid_request_error"
        case 401: "authentication_error"
        case 402: "insufficient_quota"
        case 403: "permission_error"
        case 429: "rate_limit_error"
        case 499: "client_closed_request"
        default: status.code >= 500 ? "server_error" : "invalid_request_error"
        }
    }
}

extension APIError {
    static func badRequest(_ v: RequestValidationError) -> APIError {
        APIError(.badRequest, code: v.code, message: v.message, field: v.field)
    }

    static func notFound(_ message: String = "No such route.") -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    package static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "body_too_large", message: "The request body exceeds the limit of \(limit) bytes for this endpoint.")
    }

    package static func unavailable(_ code: String, _ message: String, retryAfter: Int) -> APIError {
        limited(code, message, status: .serviceUnavailable, retryAfter: retryAfter)
    }
}

extension APIError {
    /// The caller-facing form of a scheduler refusal.
    init(_ refusal: AdmissionRefusal) {
        switch refusal {
        case .queueFull(let after):
            self = APIError.limited("queue_full", "Too many requests are waiting for this endpoint; retry later.", status: .tooManyRequests, retryAfter: after)
        case .deadlineExceeded(let after):
            self = APIError.limited("queue_timeout", "The request could not start before its deadline; retry later.", status: .tooManyRequests, retryAfter: after)
        case .overloaded(let after):
            self = APIError.limited("overloaded", "The node is overloaded; retry later.", status: .serviceUnavailable, retryAfter: after)
        case .noMiners(let after):
            self = APIError.limited("no_miners_available", "No miner can take this request right now; try again shortly.", status: .serviceUnavailable, retryAfter: after)
        case .cancelled:
            self = APIError(.clientClosedRequest, code: "cancelled", message: "The request was cancelled.")
        case .clientDisconnected:
            self = APIError(.clientClosedRequest, code: "client_disconnected", message: "The client closed its connection before the request started.")
        }
    }

    static func limited(_ code: String, _ message: String, status: HTTPResponse.Status, retryAfter: Int) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(max(retryAfter, 1))
        return APIError(status, code: code, message: message, headers: headers)
    }
}

extension HTTPResponse.Status {
    /// 499, nginx's status for a client that left before its answer; recorded in usage logs.
    static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
}
