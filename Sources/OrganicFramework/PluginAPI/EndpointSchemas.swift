/// The JSON shapes of one endpoint for the OpenAPI document: the request body, the answer and,
/// for a streaming endpoint, one Server-Sent Event's `data:`.
///
/// ``Endpoint/schemas`` derives them from the endpoint's `Request`, `Response` and `CallerChunk`
/// types when they conform to ``OpenAPISchemaProviding``; an endpoint overrides it to add what
/// its settings allow (ranges, model names, sizes).
public struct EndpointSchemas: Sendable, Hashable {
    /// The request body; nil when undescribed (the document then shows only an example).
    public var request: JSONSchema?
    /// The JSON answer.
    public var response: JSONSchema?
    /// One event of a stream sent to a caller who asked for one.
    public var streamEvent: JSONSchema?

    public init(request: JSONSchema?, response: JSONSchema?, streamEvent: JSONSchema? = nil) {
        self.request = request
        self.response = response
        self.streamEvent = streamEvent
    }
}

extension Endpoint {
    /// The schemas of the endpoint's types, for those that conform to ``OpenAPISchemaProviding``.
    public var schemas: EndpointSchemas {
        EndpointSchemas(request: Self.typeSchemas.request, response: Self.typeSchemas.response, streamEvent: Self.typeSchemas.streamEvent)
    }

    /// The schemas ``schemas`` defaults to, for an override to start from.
    public static var typeSchemas: EndpointSchemas {
        EndpointSchemas(request: (Request.self as? any OpenAPISchemaProviding.Type)?.openAPISchema,
                        response: (Response.self as? any OpenAPISchemaProviding.Type)?.openAPISchema,
                        streamEvent: (CallerChunk.self as? any OpenAPISchemaProviding.Type)?.openAPISchema)
    }
}
