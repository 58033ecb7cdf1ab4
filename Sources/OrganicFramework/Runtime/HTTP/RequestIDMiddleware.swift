import Hummingbird

/// Gives every request its id (``RequestID``): in the response's `X-Request-Id`, success or
/// error, in the request logger's metadata and in ``RequestScope`` for the work done on its
/// behalf. Outermost, so that the JSON error responses below it carry the header too.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = RequestID.accepted(request.headers[RequestID.header]) ?? RequestID.generate()
        var context = context
        context.logger[metadataKey: LogKey.requestID] = .string(id)
        do {
            var response = try await RequestScope.$current.withValue(RequestScope(requestID: id)) {
                try await next(request, context)
            }
            response.headers[RequestID.header] = id
            return response
        } catch var error as APIError {
            error.headers[RequestID.header] = id
            throw error
        }
    }
}
