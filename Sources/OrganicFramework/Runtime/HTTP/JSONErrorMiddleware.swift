package import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Turns every error a route throws into the JSON error shape with the right status, so that
/// callers never see an HTML page, an empty body or an internal message.
package struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.response(for: error, request: request, context: context)
        }
    }

    /// The JSON error response for `error` (also used by routes that count their own statuses).
    package static func response(for error: any Error, request: Request, context: Context) throws -> Response {
        switch error {
        case let error as APIError:
            return try error.response(from: request, context: context)
        case let error as HTTPError:
            let api: APIError = switch error.status {
            case .notFound: .notFound()
            case .contentTooLarge: APIError(.contentTooLarge, code: "body_too_large", message: "The request body is too large.")
            case .methodNotAllowed: APIError(.methodNotAllowed, code: "method_not_allowed", message: "This route does not accept \(request.method).")
            default: APIError(error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
            }
            return try api.response(from: request, context: context)
        case is NIOTooManyBytesError:
            return try APIError(.contentTooLarge, code: "body_too_large", message: "The request body is too large.")
                .response(from: request, context: context)
        case let error as HTTPParserError:
            // The caller's bytes were not HTTP: its fault, not worth an error-level log.
            context.logger.debug("malformed request", metadata: RequestScope.metadata(["error": "\(error)"]))
            return try APIError(.badRequest, code: "malformed_request", message: "The request is not well-formed HTTP/1.1.")
                .response(from: request, context: context)
        default:
            // Hummingbird's `context.id` traps when the logger has no request id: never use it here.
            let requestID = RequestScope.current?.requestID ?? context.logger[metadataKey: "hb.request.id"]?.description ?? "unknown"
            context.logger.error("unhandled error", metadata: RequestScope.metadata(["error": "\(String(reflecting: error))"]))
            return try APIError(.internalServerError, code: "internal_error", message: "The node failed to handle this request (request id \(requestID)).")
                .response(from: request, context: context)
        }
    }
}
