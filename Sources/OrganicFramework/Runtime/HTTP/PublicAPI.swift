import Foundation
import Hummingbird
import NIOCore

/// The routes third parties call: one `POST /v1/<path>` per endpoint, plus discovery and health.
enum PublicAPI {
    /// `dispatchers` holds each endpoint's subnet dispatcher, by endpoint name; `stripe` is the
    /// payment webhook when enabled.
    static func router(endpoints: [any ServedEndpoint], dispatchers: [String: QueryDispatcher], access: AccessControl?,
                       openAPI: OpenAPIDocument.Cache, connections: ClientConnections, metrics: NodeMetrics,
                       stripe: StripeWebhook? = nil) -> Router<OrganicRequestContext> {
        let router = Router(context: OrganicRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        var selectors: [MinerSelector] = []
        for dispatcher in dispatchers.values where !selectors.contains(where: { $0 === dispatcher.selector }) {
            selectors.append(dispatcher.selector)
        }
        router.get("/healthz") { [selectors] _, _ in
            let miners = selectors.flatMap { $0.statuses() }
            return HealthReport(status: "ok", endpoints: endpoints.count,
                                minersHealthy: miners.filter { $0.state == .healthy }.count, minersKnown: miners.count)
        }
        let listing = ModelListing(endpoints: endpoints, created: Int(Date().timeIntervalSince1970))
        router.get("/v1/models") { _, _ in listing }
        router.get("/v1/endpoints") { _, _ in listing }
        router.get("/openapi.json") { _, _ in Response.json(bytes: await openAPI.data()) }
        if let stripe {
            router.post("\(StripeWebhook.path)") { request, _ in try await stripe.handle(request, bodies: connections.bodies) }
        }
        for endpoint in endpoints {
            let name = endpoint.descriptor.name
            guard let dispatcher = dispatchers[name], let counted = metrics.endpoint(name) else { continue }
            router.post("/v1/\(endpoint.descriptor.path)") { request, context in
                // Errors become responses here, so that their status is counted.
                let started = ContinuousClock.now
                RequestScope.current?.identify(endpoint: name)
                let response: Response
                do {
                    // On the connection's loop (LoopBoundHTTP1Channel), as the round and the miner's connection.
                    response = try await endpoint.handle(request, dispatcher: dispatcher, access: access,
                                                         disconnect: connections.signal(for: context.connection),
                                                         flushes: connections.flushes(for: context.connection), eventLoop: context.eventLoop,
                                                         bodies: connections.bodies)
                } catch {
                    response = try JSONErrorMiddleware.response(for: error, request: request, context: context)
                }
                return counted.served(response, since: started)
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

/// `GET /v1/models`: what the node serves, in OpenAI's list shape (`object: "list"`, one entry with
/// `id`, `object: "model"`, `created` and `owned_by` per model, ids unique), each entry also naming
/// the endpoints that serve it with their prices and limits. An endpoint that names no model is
/// listed under its own name.
struct ModelListing: ResponseCodable {
    struct Entry: Codable, Sendable {
        var id: String
        var object = "model"
        var created: Int
        var ownedBy: String
        var endpoints: [EndpointEntry]

        enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by", endpoints }
    }

    /// One endpoint that serves a model.
    struct EndpointEntry: Codable, Sendable {
        var plugin: String
        var endpoint: String
        var path: String
        var summary: String
        var models: [String]
        var price: Double
        var unitPrices: [String: Double]
        var streaming: Bool
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
            unitPrices = d.unitPrices
            streaming = d.streaming != nil
            timeoutSeconds = d.timeout.seconds
            maxRequestBytes = d.maxRequestBytes
            scoring = d.scoring.rawValue
        }
    }

    var object = "list"
    var data: [Entry]

    /// One entry per model, in the order the endpoints list them; `created` is when the node
    /// started, in Unix seconds.
    init(endpoints: [any ServedEndpoint], created: Int) {
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        for served in endpoints {
            let d = served.descriptor
            for model in d.models.isEmpty ? [d.name] : d.models {
                if let at = index[model] {
                    entries[at].endpoints.append(EndpointEntry(served))
                } else {
                    index[model] = entries.count
                    entries.append(Entry(id: model, created: created, ownedBy: served.pluginName, endpoints: [EndpointEntry(served)]))
                }
            }
        }
        data = entries
    }
}
