import Foundation

/// Builds an OpenAPI 3.1 description of the public API from the plugins' endpoints.
///
/// Request, response and stream-event schemas come from each endpoint's ``Endpoint/schemas``
/// (its types' ``OpenAPISchemaProviding`` conformances, narrowed by the endpoint to the ranges
/// its validation enforces) and are listed under `components/schemas` as `<endpoint>.Request`,
/// `<endpoint>.Response` and `<endpoint>.StreamEvent`. Examples are real: a synthetic request
/// from each endpoint's generator and, where the plugin has a reference miner, its answer.
enum OpenAPIDocument {
    /// Builds the document on first request and keeps it: generating it runs every reference
    /// miner once, which is work a node should not do at start-up.
    actor Cache {
        private let endpoints: [any ServedEndpoint]
        private let plugins: [any SubnetPlugin]
        private var body: Data?

        init(endpoints: [any ServedEndpoint], plugins: [any SubnetPlugin]) {
            self.endpoints = endpoints
            self.plugins = plugins
        }

        func data() async -> Data {
            if let body { return body }
            let generated = (try? await OpenAPIDocument.generate(endpoints: endpoints, plugins: plugins).jsonData()) ?? Data("{}".utf8)
            body = generated
            return generated
        }
    }

    static func generate(endpoints: [any ServedEndpoint], plugins: [any SubnetPlugin], title: String = "Organic validator API") async -> JSONValue {
        let handlers = plugins.flatMap { $0.referenceMiners(options: .init()) }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = ["Error": errorSchema]
        for endpoint in endpoints {
            let description = await endpoint.apiDescription(handlers: handlers)
            let name = endpoint.descriptor.name
            for (suffix, schema) in [("Request", description.schemas.request), ("Response", description.schemas.response),
                                     ("StreamEvent", description.schemas.streamEvent)] {
                if let schema { schemas["\(name).\(suffix)"] = (try? JSONValue.from(schema)) ?? .object([:]) }
            }
            paths["/v1/\(endpoint.descriptor.path)"] = .object(["post": operation(endpoint.descriptor, plugin: endpoint.pluginName, description: description)])
        }
        paths["/v1/models"] = .object(["get": .object([
            "summary": .string("Lists the endpoints this node serves, with prices, timeouts and limits."),
            "responses": .object(["200": .object(["description": .string("The endpoints.")])]),
        ])])
        paths["/healthz"] = .object(["get": .object([
            "summary": .string("Liveness and miner health."),
            "responses": .object(["200": .object(["description": .string("The node is up.")])]),
        ])])
        return .object([
            "openapi": .string("3.1.0"),
            "info": .object(["title": .string(title), "version": .string("1")]),
            "paths": .object(paths),
            "components": .object(["schemas": .object(schemas)]),
        ])
    }

    static func reference(_ endpoint: String, _ suffix: String) -> JSONValue {
        .object(["$ref": .string("#/components/schemas/\(endpoint).\(suffix)")])
    }

    static func operation(_ d: EndpointDescriptor, plugin: String, description: EndpointAPIDescription) -> JSONValue {
        var responses: [String: JSONValue] = [:]
        var ok: [String: JSONValue] = ["description": .string("The first valid answer from a miner.")]
        var content: [String: JSONValue] = [:]
        var json: [String: JSONValue] = [:]
        if description.schemas.response != nil { json["schema"] = reference(d.name, "Response") }
        if let response = description.response { json["example"] = response }
        if !json.isEmpty { content["application/json"] = .object(json) }
        if let streaming = d.streaming {
            let end = streaming.endMarker.map { ", ending with `data: \($0)`" } ?? ""
            ok["description"] = .string("The first valid answer from a miner; with `stream: true`, Server-Sent Events as the miner produces "
                + "them, one JSON chunk per `data:` event" + end + ". A stream the miner breaks off ends with one `data: {\"error\": …}` event.")
            var events: [String: JSONValue] = [
                "schema": .object([
                    "type": .string("string"),
                    "description": .string("Server-Sent Events: each `data:` line holds one JSON `\(d.name).StreamEvent`" + end + "."),
                ]),
            ]
            if description.schemas.streamEvent != nil { events["x-event-data-schema"] = reference(d.name, "StreamEvent") }
            content["text/event-stream"] = .object(events)
        }
        if !content.isEmpty { ok["content"] = .object(content) }
        responses["200"] = .object(ok)
        let errors: [(String, String)] = [
            ("400", "Invalid JSON or a field outside its allowed values; `error.field` names it."),
            ("401", "Missing or invalid API key."),
            ("402", "`insufficient_credits`: the balance cannot cover the most this request can cost."),
            ("404", "No such route."),
            ("413", "The body exceeds \(d.maxRequestBytes) bytes."),
            ("429", "`queue_full` or `queue_timeout`; see `Retry-After`."),
            ("502", "`miner_failed`: no miner returned a valid answer."),
            ("503", "`no_miners_available`, `miners_busy`, `overloaded` or `settlement_backlog`; see `Retry-After`."),
            ("504", "`miner_timeout`: no miner answered within \(Int(d.timeout.seconds)) s."),
        ]
        for (status, text) in errors {
            responses[status] = .object([
                "description": .string(text),
                "content": .object(["application/json": .object(["schema": .object(["$ref": .string("#/components/schemas/Error")])])]),
            ])
        }
        var op: [String: JSONValue] = [
            "operationId": .string(d.name),
            "summary": .string(d.summary),
            "description": .string("Plugin `\(plugin)`. Price \(d.price) credits per successful call"
                + d.unitPrices.sorted(by: { $0.key < $1.key }).map { " + \($0.value) per \($0.key)" }.joined()
                + ". Timeout \(d.timeout.seconds) s. Any `seed` is replaced by one the validator assigns."),
            "tags": .array([.string(plugin)]),
            "responses": .object(responses),
        ]
        var body: [String: JSONValue] = [:]
        if description.schemas.request != nil { body["schema"] = reference(d.name, "Request") }
        if let request = description.request { body["example"] = request }
        if !body.isEmpty {
            op["requestBody"] = .object(["required": .bool(true), "content": .object(["application/json": .object(body)])])
        }
        return .object(op)
    }

    static let errorSchema: JSONValue = .object([
        "type": .string("object"),
        "required": .array([.string("error")]),
        "properties": .object(["error": .object([
            "type": .string("object"),
            "required": .array([.string("code"), .string("message")]),
            "properties": .object([
                "code": .object(["type": .string("string"), "description": .string("Stable, machine-readable.")]),
                "message": .object(["type": .string("string")]),
                "type": .object(["type": .string("string"), "description": .string("OpenAI's error class, such as invalid_request_error.")]),
                "param": .object(["type": .array([.string("string"), .string("null")]), "description": .string("OpenAI's name for `field`.")]),
                "field": .object(["type": .string("string"), "description": .string("The request field at fault, if any.")]),
            ]),
        ])]),
    ])
}

/// What the document says about one endpoint: its schemas and real examples.
struct EndpointAPIDescription: Sendable {
    var schemas: EndpointSchemas
    /// A synthetic request, without the validator's seed.
    var request: JSONValue?
    /// A reference miner's answer, as the caller receives it.
    var response: JSONValue?
}

extension EndpointRoute {
    /// The endpoint's schemas, a synthetic request (without the validator's seed) and, when a
    /// reference miner exists, its answer, as JSON.
    func apiDescription(handlers: [any MinerHandler]) async -> EndpointAPIDescription {
        var description = EndpointAPIDescription(schemas: endpoint.schemas)
        var context = SyntheticContext(random: OrganicRandom(seed: 2024))
        guard let request = endpoint.makeSyntheticRequest(context: &context) else { return description }
        description.request = (try? JSONValue.from(request)).map(Self.strippingSeed)
        var perturbation = PerturbationContext(random: context.random, seeds: .unassigned)
        var minerRequest = endpoint.minerRequest(for: request, context: &perturbation)
        endpoint.perturb(&minerRequest, context: &perturbation)
        for handler in handlers where handler.endpoint.descriptor.name == descriptor.name {
            description.response = await answer(handler, to: minerRequest, caller: request)
        }
        return description
    }
    /// The caller's view of a reference miner's answer.
    func answer<H: MinerHandler>(_ handler: H, to request: E.MinerRequest, caller: E.Request) async -> JSONValue? {
        guard let typed = request as? H.Served.MinerRequest,
              let response = try? await handler.respond(to: typed, context: MinerContext(random: OrganicRandom(seed: 1))),
              let mine = response as? E.MinerResponse,
              let delivered = try? endpoint.responseForCaller(mine, to: request, caller: caller) else { return nil }
        return (try? JSONValue.from(delivered)).map(Self.truncatingLongStrings)
    }

    static func strippingSeed(_ value: JSONValue) -> JSONValue {
        guard case .object(var fields) = value else { return value }
        fields["seed"] = nil
        return truncatingLongStrings(.object(fields))
    }

    /// Keeps examples readable: base64 images are shortened (vectors stay whole, so that the
    /// examples still match their schemas).
    static func truncatingLongStrings(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s) where s.count > 80: return .string(String(s.prefix(60)) + "…")
        case .array(let items): return .array(items.map(truncatingLongStrings))
        case .object(let fields): return .object(fields.mapValues(truncatingLongStrings))
        default: return value
        }
    }
}
