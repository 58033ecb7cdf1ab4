import Foundation
import Hummingbird
import NIOCore

/// The routes third parties call: one `POST /v1/<path>` per endpoint, plus discovery and health.
enum PublicAPI {
    static func router(endpoints: [any ServedEndpoint], dispatcher: QueryDispatcher, access: AccessControl?, openAPI: OpenAPIDocument.Cache,
                       connections: ClientConnections) -> Router<OrganicRequestContext> {
        let router = Router(context: OrganicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        router.get("/healthz") { _, _ in
            let miners = dispatcher.selector.statuses()
            return HealthReport(status: "ok", endpoints: endpoints.count,
                                minersHealthy: miners.filter { $0.state == "healthy" }.count, minersKnown: miners.count)
        }
        let listing = ModelListing(data: endpoints.map(ModelListing.Entry.init))
        router.get("/v1/models") { _, _ in listing }
        router.get("/v1/endpoints") { _, _ in listing }
        router.get("/openapi.json") { _, _ in Response.json(bytes: await openAPI.data()) }
        for endpoint in endpoints {
            router.post("/v1/\(endpoint.descriptor.path)") { request, context in
                try await endpoint.handle(request, dispatcher: dispatcher, access: access,
                                          disconnect: connections.signal(for: context.connection))
            }
        }
        return router
    }
}

struct HealthReport: ResponseCodable {
    var status: String
    var endpoints: Int
    var minersHealthy: Int
    var minersKnown: Int
}

/// `GET /v1/models`: what the node serves, with prices and limits.
struct ModelListing: ResponseCodable {
    struct Entry: Codable, Sendable {
        var plugin: String
        var endpoint: String
        var path: String
        var summary: String
        var models: [String]
        var price: Double
        var timeoutSeconds: Double
        var maxRequestBytes: Int
        var scoring: String

        init(_ served: any ServedEndpoint) {
            let d = served.descriptor
            plugin = served.pluginName
            endpoint = d.name
            path = "/v1/\(d.path)"
            summary = d.summary
            models = d.models
            price = d.price
            timeoutSeconds = d.timeout.seconds
            maxRequestBytes = d.maxRequestBytes
            scoring = d.scoring.rawValue
        }
    }
    var data: [Entry]
}
