import Foundation
import HTTPTypes
import Hummingbird
package import NIOCore

/// An endpoint as the node serves it: the plugin's endpoint plus the operator's overrides.
struct EndpointRoute<E: Endpoint>: Sendable {
    let endpoint: E
    let pluginName: String
    /// The plugin's descriptor with the operator's price, timeout and size overrides applied.
    let descriptor: EndpointDescriptor
    /// The descriptor's prices in exact arithmetic.
    let prices: PriceSchedule
    /// Callers receive the miner's checked bytes (``Endpoint/forwardsMinerAnswer``, honoured
    /// only when the caller's and the miner's response types are the same).
    let forwardsMinerAnswer: Bool

    /// What carries a streaming caller's chunks from the round to its response, and the answer at the end.
    typealias StreamRelay = ChunkRelay<E.MinerChunk, E.MinerResponse>

    init(endpoint: E, pluginName: String, descriptor: EndpointDescriptor) {
        self.endpoint = endpoint
        self.pluginName = pluginName
        self.descriptor = descriptor
        prices = PriceSchedule(price: descriptor.price, unitPrices: descriptor.unitPrices)
        forwardsMinerAnswer = endpoint.forwardsMinerAnswer && E.Response.self == E.MinerResponse.self && descriptor.streaming == nil
    }
}

/// What the node does with every endpoint, whatever its request and response types.
protocol ServedEndpoint: Sendable {
    var pluginName: String { get }
    var descriptor: EndpointDescriptor { get }
    /// Handles `POST /v1/<path>`; `access` is nil when API keys are switched off; `disconnect`
    /// is raised when the caller's connection goes away; `flushes` reports what of a paid answer
    /// reached its socket; `eventLoop` is the connection's, which paces a streamed answer.
    func handle(_ request: Request, dispatcher: QueryDispatcher, access: AccessControl?, disconnect: DisconnectSignal?,
                flushes: ResponseFlushes?, eventLoop: (any EventLoop)?, bodies: RequestBodyBudget?) async throws -> Response
    /// Generates, perturbs and dispatches one synthetic query, waiting at most `maxWait` for
    /// miners; false when it was not admitted (or the endpoint has no generator).
    func runSyntheticQuery(dispatcher: QueryDispatcher, maxWait: Duration) async -> Bool
    /// Schemas and example request and response JSON for the API description.
    func apiDescription(handlers: [any MinerHandler]) async -> EndpointAPIDescription
}

extension EndpointRoute: ServedEndpoint {
    func handle(_ request: Request, dispatcher: QueryDispatcher, access: AccessControl?, disconnect: DisconnectSignal?,
                flushes: ResponseFlushes?, eventLoop: (any EventLoop)?, bodies: RequestBodyBudget?) async throws -> Response {
        let reading = BodyReading()
        do {
            let connection = CallerConnection(disconnect: disconnect, flushes: flushes, eventLoop: eventLoop)
            return try await admitAndServe(request, dispatcher: dispatcher, access: access, connection: connection,
                                           bodies: bodies, reading: reading)
        } catch var error as APIError where !reading.started {
            // Refused before the body was read, while the client may still be sending it: a client
            // that sends its whole body before reading would stall on a full socket. Read and
            // discard a bounded amount; beyond it, close the connection after the answer.
            if await !RequestBodyDrain.discard(request.body, declaredLength: request.headers[.contentLength].flatMap(Int.init)) {
                error.headers[.connection] = "close"
            }
            throw error
        }
    }

    private func admitAndServe(_ request: Request, dispatcher: QueryDispatcher, access: AccessControl?, connection: CallerConnection,
                               bodies: RequestBodyBudget?, reading: BodyReading) async throws -> Response {
        let disconnect = connection.disconnect
        // 401, 403 and 429 come before the body is read.
        let pending = try await access?.admit(request.headers, endpoint: descriptor.name)
        // The body's bytes are claimed from the node-wide budget before it is read.
        let declared = request.headers[.contentLength].flatMap(Int.init)
        let claim = min(declared ?? descriptor.maxRequestBytes, descriptor.maxRequestBytes)
        if let bodies {
            guard bodies.claim(claim) else {
                pending?.finish(status: 503, delivered: false)
                throw APIError.unavailable("overloaded", "The node is reading too many request bodies at once; retry shortly.", retryAfter: 1)
            }
        }
        defer { bodies?.release(claim) }
        do {
            return try await serve(request, dispatcher: dispatcher, pending: pending, connection: connection, reading: reading)
        } catch {
            // A body cut short by a departing caller reads as bad JSON; the usage log says why.
            let status = disconnect?.isDisconnected == true ? 499 : Int((error as? APIError)?.status.code ?? 500)
            pending?.finish(status: status, delivered: false)
            throw error
        }
    }

    /// Reads, validates, charges (when `pending` is set) and dispatches one request.
    private func serve(_ request: Request, dispatcher: QueryDispatcher, pending: PendingRequest?, connection: CallerConnection,
                       reading: BodyReading) async throws -> Response {
        let disconnect = connection.disconnect
        // Refusals that need no body come before a byte of it is read.
        try RequestDecoding.requireJSON(request.headers[.contentType])
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > descriptor.maxRequestBytes {
            throw APIError.bodyTooLarge(limit: descriptor.maxRequestBytes)
        }
        let body: [UInt8]
        reading.started = true
        do {
            body = try await RequestBodyBytes.read(request.body, upTo: descriptor.maxRequestBytes, declared: declared)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: descriptor.maxRequestBytes)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Bad chunk framing, or a body cut short: the caller's fault.
            throw APIError(.badRequest, code: "malformed_body", message: "The request body could not be read: it ended early or its framing is invalid.")
        }
        let caller = try RequestDecoding.decode(E.Request.self, from: body)
        // The most the call can cost is held before anything expensive: validation may decode
        // images, and a key that cannot pay must not make the node do that (released if invalid).
        try await pending?.reserve(prices.cost(of: endpoint.maximumUsage(of: caller)))
        do {
            try endpoint.validate(caller)
        } catch {
            throw APIError.badRequest(error)
        }
        var context = PerturbationContext(random: dispatcher.makeRandom(), seeds: dispatcher.settings.seeds)
        var minerRequest = endpoint.minerRequest(for: caller, context: &context)
        endpoint.perturb(&minerRequest, context: &context)
        // Fair queueing is per key, weighted by the key's tier (see KeyTier).
        let flow = pending?.record.id ?? "anonymous"
        let relay = descriptor.streaming != nil && endpoint.streamsToCaller(caller)
            ? StreamRelay(callerEdits: endpoint.callerChunkEdits(for: minerRequest, caller: caller)) : nil
        let answer: OrganicAnswer<E>
        do {
            answer = try await dispatcher.dispatchOrganic(minerRequest, task: descriptor.task(model: endpoint.model(of: caller)), route: self,
                                                          relay: relay, flow: flow, weight: KeyTier.weight(of: pending?.record.tier, in: dispatcher.settings.tierWeights),
                                                          disconnect: disconnect)
        } catch {
            relay?.close()
            throw error
        }
        switch answer {
        case .whole(let response, let answer):
            return try wholeResponse(response, answer: answer, minerRequest: minerRequest, caller: caller, pending: pending, connection: connection)
        case .streaming:
            guard let relay else { throw APIError(.internalServerError, code: "internal_error", message: "The answer could not be delivered.") }
            return streamedResponse(relay, minerRequest: minerRequest, caller: caller, pending: pending, connection: connection)
        }
    }

    /// One JSON body. Charged only once its last byte is in the socket of a caller still there; a
    /// caller gone before, a failed write or a connection cut before the end releases. `answer` is
    /// the miner's checked bytes when they go to the caller as they are.
    private func wholeResponse(_ response: E.MinerResponse, answer: [UInt8]?, minerRequest: E.MinerRequest, caller: E.Request,
                               pending: PendingRequest?, connection: CallerConnection) throws -> Response {
        let data: ByteBuffer
        if let answer {
            data = ByteBuffer(bytes: answer)
        } else {
            let delivered: E.Response
            do {
                delivered = try endpoint.responseForCaller(response, to: minerRequest, caller: caller)
            } catch {
                throw APIError(HTTPResponse.Status(code: error.status), code: error.code, message: error.message)
            }
            data = ByteBuffer(bytes: try TypedJSONEncoder<E.Response>().encode(delivered))
        }
        guard let pending else { return .json(ResponseBody(byteBuffer: data)) }
        let usage = endpoint.usage(of: response, for: minerRequest, caller: caller)
        let charge = prices.cost(of: usage)
        var headers = pending.rateLimitHeaders
        let flushes = connection.flushes
        let token = flushes?.mark(&headers)
        let disconnect = connection.disconnect
        if let flushes, let token {
            // Head, body and end leave in one write; the connection's handler reports when the end
            // is in the socket (or that it never will be), and that settles the request.
            pending.startWriting()
            if disconnect?.isDisconnected == true {
                _ = flushes.abandon(token)
                if let name = ResponseFlushes.tokenHeader { headers[name] = nil }
                pending.finish(status: 499, delivered: false)
            } else {
                flushes.whenReported(token) { report in
                    if report.ended {
                        pending.finish(status: 200, delivered: true, charged: charge, units: usage)
                    } else {
                        pending.finish(status: 499, delivered: false)
                    }
                }
            }
            return .json(ResponseBody(byteBuffer: data), headers: headers)
        }
        // A connection the node does not follow (none in its own server): charged once the writer
        // has queued the end.
        let body = ResponseBody(contentLength: data.readableBytes) { writer in
            pending.startWriting()
            do {
                if disconnect?.isDisconnected == true { throw AdmissionRefusal.clientDisconnected }
                try await writer.write(data)
                try await writer.finish(nil)
            } catch {
                pending.finish(status: 499, delivered: false)
                throw error
            }
            pending.finish(status: 200, delivered: true, charged: charge, units: usage)
        }
        pending.handOver(watching: disconnect)
        return .json(body, headers: headers)
    }

    /// Server-Sent Events, one per miner chunk as it arrives, then the endpoint's closing events
    /// and the end marker; an error event if the miner fails mid-stream. The caller is charged
    /// for what it received: the usage of the chunks written before it left.
    private func streamedResponse(_ relay: StreamRelay, minerRequest: E.MinerRequest, caller: E.Request,
                                  pending: PendingRequest?, connection: CallerConnection) -> Response {
        let disconnect = connection.disconnect
        let observation = disconnect?.observe { relay.close() }
        if disconnect != nil && observation == nil { relay.close() }
        var headers = pending?.rateLimitHeaders ?? HTTPFields()
        let flushes = pending == nil ? nil : connection.flushes
        let token = flushes?.mark(&headers)
        let body = ResponseBody { writer in
            defer { if let observation { disconnect?.stopObserving(observation) } }
            pending?.startWriting()
            // The relay's batches as they came (appending one never copies its chunks), and their count.
            var delivered: [[E.MinerChunk]] = []
            var deliveredCount = 0
            // Body bytes written after each write, and the chunks delivered by then.
            var progress = StreamProgress()
            var ending: StreamRelay.Ending?
            var encoder = EventEncoder()
            let chunkEncoder = TypedJSONEncoder<E.CallerChunk>()
            // Without it the writer outruns a busy event loop, and the relay's bound means nothing.
            var pacer = WritePacer(eventLoop: connection.eventLoop)
            do {
                // Chunks that queued up while the last write went out leave in one write.
                var batch: [StreamRelay.Item] = []
                reading: while let first = await relay.next() {
                    batch.removeAll(keepingCapacity: true)
                    batch.append(first)
                    relay.takeAvailable(into: &batch, limit: 64)
                    var out = encoder.makeBuffer()
                    var written = 0
                    for item in batch {
                        switch item {
                        case .chunks(let chunks, var events?):
                            // Written by the round from the miner's text with the endpoint's edits.
                            out.writeBuffer(&events)
                            written += chunks.count
                        case .chunks(let chunks, nil):
                            // By index: the chunk is lent to the plugin, not copied out (generic code copies through witnesses).
                            for position in chunks.indices {
                                if let event = endpoint.callerChunk(chunks[position], index: deliveredCount + written, for: minerRequest, caller: caller) {
                                    try encoder.append(event, with: chunkEncoder, to: &out)
                                }
                                written += 1
                            }
                        case .end(.completed(let response)):
                            // The end comes last, with the answer the round assembled from every chunk.
                            ending = .completed(response)
                            for event in endpoint.closingChunks(response, for: minerRequest, caller: caller) {
                                try encoder.append(event, with: chunkEncoder, to: &out)
                            }
                            if let marker = descriptor.streaming?.endMarker {
                                ServerSentEventWriter.encode(ServerSentEvent(data: marker), into: &out)
                            }
                        case .end(.failed(let failure)):
                            ending = .failed(failure)
                            try encoder.append(APIError.ErrorBody(Self.streamError(for: failure)), to: &out)
                        }
                    }
                    let bytes = out.readableBytes
                    if bytes > 0 { try await writer.write(out) }
                    encoder.wrote(bytes)
                    // Delivered once written: a caller gone before is charged only what it got.
                    for case .chunks(let chunks, _) in batch { delivered.append(chunks) }
                    deliveredCount += written
                    progress.wrote(bytes, chunks: deliveredCount)
                    if ending != nil { break reading }
                    try await pacer.wrote(bytes)
                }
                relay.close()
                try await writer.finish(nil)
            } catch {
                relay.close()
                // Charged for what the socket took, never waiting on a connection that failed.
                let reached = token.flatMap { flushes?.abandon($0) }
                settle(pending, delivered: progress.reached(delivered, report: reached), ending: nil, minerRequest: minerRequest, caller: caller)
                throw error
            }
            // The writer returns once a part is queued: the charge waits for what the socket took.
            var reached: FlushReport?
            if let token, let flushes { reached = await flushes.report(for: token) }
            if let reached, !reached.ended, case .completed? = ending { ending = nil }
            settle(pending, delivered: progress.reached(delivered, report: reached), ending: ending, minerRequest: minerRequest, caller: caller)
        }
        pending?.handOver(watching: disconnect)
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        if let noBuffering = HTTPField.Name("X-Accel-Buffering") { headers[noBuffering] = "no" }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Charges a streamed answer: everything, when it completed (its answer, assembled by the
    /// round); what was delivered, when the caller left (assembled here, only then); nothing when
    /// the miner failed mid-stream (the caller got an error event).
    private func settle(_ pending: PendingRequest?, delivered: @autoclosure () -> [E.MinerChunk],
                        ending: StreamRelay.Ending?, minerRequest: E.MinerRequest, caller: E.Request) {
        guard let pending else { return }
        let response: E.MinerResponse
        switch ending {
        case .failed:
            pending.finish(status: 502, delivered: false)
            return
        case .completed(let answer):
            response = answer
        case nil:
            let chunks = delivered()
            guard !chunks.isEmpty, let partial = try? endpoint.assemble(chunks, for: minerRequest) else {
                pending.finish(status: 499, delivered: false)
                return
            }
            response = partial
        }
        let usage = endpoint.usage(of: response, for: minerRequest, caller: caller)
        pending.finish(status: ending == nil ? 499 : 200, delivered: true, charged: prices.cost(of: usage), units: usage)
    }

    /// The error event a streaming caller receives when its miner fails mid-stream.
    static func streamError(for failure: MinerFailure) -> APIError {
        switch failure {
        case .stalled, .timeout:
            APIError(.gatewayTimeout, code: "miner_timeout", message: "The miner stopped streaming before the answer was complete.")
        default:
            APIError(.badGateway, code: "miner_failed", message: "The miner's stream failed before the answer was complete.")
        }
    }

    func runSyntheticQuery(dispatcher: QueryDispatcher, maxWait: Duration) async -> Bool {
        var synthetic = SyntheticContext(random: dispatcher.makeRandom())
        guard let caller = endpoint.makeSyntheticRequest(context: &synthetic) else { return false }
        var context = PerturbationContext(random: synthetic.random, seeds: dispatcher.settings.seeds)
        var request = endpoint.minerRequest(for: caller, context: &context)
        endpoint.perturb(&request, context: &context)
        return await dispatcher.dispatchSynthetic(request, task: descriptor.task(model: endpoint.model(of: caller)), route: self, maxWait: maxWait)
    }
}

/// JSON decoding of caller requests with errors that name the field at fault.
package enum RequestDecoding {
    package static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        try decode(type, from: Array(buffer.readableBytesView))
    }

    package static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard !bytes.isEmpty else {
            throw APIError(.badRequest, code: "invalid_json", message: "The request body is empty; send a JSON object.")
        }
        let tape: JSONTape
        do {
            tape = try JSONTape.parse(bytes)
        } catch {
            throw APIError(.badRequest, code: "invalid_json", message: "The request body is not valid JSON: \(error).")
        }
        do {
            return try TypedJSONDecoder<T>().decode(bytes, tape: tape)
        } catch let error as DecodingError {
            throw apiError(for: error)
        }
    }

    /// JSON endpoints take `application/json` (UTF-8; a `charset` other than UTF-8 is refused): 415 otherwise.
    static func requireJSON(_ contentType: String?) throws(APIError) {
        guard let contentType else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "Send the body as JSON with the header Content-Type: application/json.")
        }
        // What nearly every client sends, without the parse below (Foundation's trimming and
        // lower-casing were 1.5% of the node's CPU per request).
        if contentType == "application/json" || contentType == "application/json; charset=utf-8" { return }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let charset = parts.dropFirst().first { $0.hasPrefix("charset=") }?.dropFirst("charset=".count)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard parts.first == "application/json", charset == nil || charset == "utf-8" || charset == "utf8" else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "Content-Type \(contentType) is not accepted; send UTF-8 JSON as application/json.")
        }
    }

    package static func apiError(for error: DecodingError) -> APIError {
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
