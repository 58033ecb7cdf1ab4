import Foundation
import Hummingbird
import NIOCore

/// An endpoint as the node serves it: the plugin's endpoint plus the operator's overrides.
struct EndpointRoute<E: Endpoint>: Sendable {
    let endpoint: E
    let pluginName: String
    /// The plugin's descriptor with the operator's price, timeout and size overrides applied.
    let descriptor: EndpointDescriptor
}

/// What the node does with every endpoint, whatever its request and response types.
protocol ServedEndpoint: Sendable {
    var pluginName: String { get }
    var descriptor: EndpointDescriptor { get }
    /// Handles `POST /v1/<path>`; `access` is nil when API keys are switched off; `disconnect`
    /// is raised when the caller's connection goes away.
    func handle(_ request: Request, dispatcher: QueryDispatcher, access: AccessControl?, disconnect: DisconnectSignal?) async throws -> Response
    /// Generates, perturbs and dispatches one synthetic query, waiting at most `maxWait` for
    /// miners; false when it was not admitted.
    func runSyntheticQuery(dispatcher: QueryDispatcher, maxWait: Duration) async -> Bool
    /// Example request and response JSON for the API description.
    func examples(handlers: [any MinerHandler]) async -> (request: JSONValue?, response: JSONValue?)
}

extension EndpointRoute: ServedEndpoint {
    func handle(_ request: Request, dispatcher: QueryDispatcher, access: AccessControl?, disconnect: DisconnectSignal?) async throws -> Response {
        guard let access else {
            let data = try await serve(request, dispatcher: dispatcher, pending: nil, disconnect: disconnect)
            return .json(bytes: data)
        }
        // 401, 403 and 429 come before the body is read.
        let pending = try await access.admit(request.headers, endpoint: descriptor.name, price: descriptor.price)
        let data: Data
        do {
            data = try await serve(request, dispatcher: dispatcher, pending: pending, disconnect: disconnect)
        } catch {
            // A body cut short by a departing caller reads as bad JSON; the usage log says why.
            let status = disconnect?.isDisconnected == true ? 499 : Int((error as? APIError)?.status.code ?? 500)
            pending.finish(status: status, delivered: false)
            throw error
        }
        // Charged only once the answer has been handed to a connection that is still there; a
        // caller gone before (whose write would still land in the socket buffer) or a failed
        // write releases.
        let body = ResponseBody(contentLength: data.count) { writer in
            do {
                if disconnect?.isDisconnected == true { throw AdmissionRefusal.clientDisconnected }
                try await writer.write(ByteBuffer(bytes: data))
                try await writer.finish(nil)
            } catch {
                pending.finish(status: 499, delivered: false)
                throw error
            }
            pending.finish(status: 200, delivered: true)
        }
        return .json(body, headers: pending.rateLimitHeaders)
    }

    /// Reads, validates, charges (when `pending` is set) and dispatches one request.
    private func serve(_ request: Request, dispatcher: QueryDispatcher, pending: PendingRequest?, disconnect: DisconnectSignal?) async throws -> Data {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: descriptor.maxRequestBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: descriptor.maxRequestBytes)
        }
        var decoded = try RequestDecoding.decode(E.Request.self, from: buffer)
        do {
            try endpoint.validate(decoded)
        } catch {
            throw APIError.badRequest(error)
        }
        try await pending?.reserve()
        var context = PerturbationContext(random: dispatcher.makeRandom(), seeds: dispatcher.settings.seeds)
        endpoint.perturb(&decoded, context: &context)
        // Fair queueing is per key, weighted by the key's tier (metadata `tier`, default standard).
        let flow = pending?.record.id ?? "anonymous"
        let tier = pending?.record.metadata["tier"] ?? "standard"
        let answer = try await dispatcher.dispatchOrganic(decoded, route: self, flow: flow,
                                                          weight: dispatcher.settings.tierWeights[tier] ?? 1, disconnect: disconnect)
        let delivered: E.Response
        do {
            delivered = try endpoint.responseForCaller(answer, to: decoded)
        } catch {
            throw APIError(HTTPResponse.Status(code: error.status), code: error.code, message: error.message)
        }
        return try JSONEncoder().encode(delivered)
    }

    func runSyntheticQuery(dispatcher: QueryDispatcher, maxWait: Duration) async -> Bool {
        var synthetic = SyntheticContext(random: dispatcher.makeRandom())
        var request = endpoint.makeSyntheticRequest(context: &synthetic)
        var context = PerturbationContext(random: synthetic.random, seeds: dispatcher.settings.seeds)
        endpoint.perturb(&request, context: &context)
        return await dispatcher.dispatchSynthetic(request, route: self, maxWait: maxWait)
    }
}

/// JSON decoding of caller requests with errors that name the field at fault.
enum RequestDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, code: "invalid_json", message: "The request body is empty; send a JSON object.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw apiError(for: error)
        }
    }

    static func apiError(for error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String? {
            var out = ""
            for key in keys {
                if let index = key.intValue { out += "[\(index)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return out.isEmpty ? nil : out
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key]) ?? key.stringValue
            return APIError(.badRequest, code: "missing_field", message: "\(field) is required.", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return APIError(.badRequest, code: "invalid_type", message: "\(field ?? "The body") must be of type \(Self.describe(type)).", field: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return APIError(.badRequest, code: "missing_field", message: "\(field ?? "The body") must be a \(Self.describe(type)), not null.", field: field)
        case .dataCorrupted(let context):
            if let field = path(context.codingPath) {
                return APIError(.badRequest, code: "invalid_value", message: "\(field): \(context.debugDescription)", field: field)
            }
            return APIError(.badRequest, code: "invalid_json", message: "The request body is not valid JSON.")
        @unknown default:
            return APIError(.badRequest, code: "invalid_json", message: "The request body could not be decoded.")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Int.Type, is Int64.Type, is UInt64.Type, is Int32.Type, is UInt32.Type: "integer"
        case is Double.Type, is Float.Type: "number"
        case is Bool.Type: "boolean"
        default: String(describing: type).hasPrefix("Array") ? "array" : "object"
        }
    }
}
