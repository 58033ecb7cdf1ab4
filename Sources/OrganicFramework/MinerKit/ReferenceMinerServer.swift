public import OrganicFramework
public import Hummingbird
import Foundation
public import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// An HTTP server for a plugin's miner handlers: the local stand-in for a GPU miner.
///
/// It speaks the same HTTP as a real miner: `POST <minerPath>` with the request JSON,
/// answering the response JSON, 400 for requests it cannot decode, 429 when more than its
/// capacity for that endpoint are in flight, and 500 when the handler fails. With a
/// ``Options/capacityDeclaration`` it also answers `POST <declaration path>` with its
/// per-endpoint capacities, the ones it enforces.
///
/// ``Options/minerProtocol`` picks the wire: plain JSON (btauth/1, Epistula v2 or unsigned), a
/// Bittensor SDK ≤ 10 Axon (`POST /<SynapseName>`, see `AxonMinerRoutes`), or fiber 1.x/2.x
/// (see `FiberMinerRoutes`).
public enum ReferenceMinerServer {
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        /// Requests served at once on each endpoint (unless `endpointCapacities` names it);
        /// more are refused with 429.
        public var capacity: Int
        /// Requests served at once per endpoint name, overriding `capacity`.
        public var endpointCapacities: [String: Int]
        /// How the plugin's miners declare their capacity; nil serves no declaration route.
        public var capacityDeclaration: CapacityDeclaration?
        public var faults: MinerFaults
        /// Seeds the fault draws, for reproducible tests.
        public var randomSeed: UInt64?
        /// Largest request body accepted.
        public var maxRequestBytes: Int
        /// Plain-JSON protocols (``MinerProtocol/btauth``, ``MinerProtocol/epistula``): checks that
        /// each request is signed by a registered validator, with either signature; nil serves
        /// anyone ("open" mode, which a real miner must choose explicitly). Not used by the other
        /// protocols.
        public var verifier: SignedRequestVerifier?
        /// The protocol served. The plain-JSON ones (the default) verify with ``verifier``;
        /// ``MinerProtocol/unsigned`` serves everyone; ``MinerProtocol/axonSynapse``,
        /// ``MinerProtocol/fiber1`` and ``MinerProtocol/fiber2`` need ``senders``.
        public var minerProtocol: MinerProtocol
        /// Who may call a miner serving the Axon or a fiber protocol. Without it those protocols
        /// answer every request 503 `miner_misconfigured` (and say so in the log).
        public var senders: SenderPolicy?
        /// Time between a streamed answer's events, as a GPU's token rate spaces them out (a
        /// real LLM miner streams tens to about a hundred tokens per second); nil sends each
        /// event as soon as the handler produced it.
        public var streamEventInterval: Duration?

        public init(host: String = "127.0.0.1", port: Int = 0, capacity: Int = 16, faults: MinerFaults = .none,
                    randomSeed: UInt64? = nil, maxRequestBytes: Int = 32 << 20, verifier: SignedRequestVerifier? = nil,
                    endpointCapacities: [String: Int] = [:], capacityDeclaration: CapacityDeclaration? = nil,
                    minerProtocol: MinerProtocol = .btauth, senders: SenderPolicy? = nil, streamEventInterval: Duration? = nil) {
            self.host = host
            self.port = port
            self.capacity = capacity
            self.endpointCapacities = endpointCapacities
            self.capacityDeclaration = capacityDeclaration
            self.faults = faults
            self.randomSeed = randomSeed
            self.maxRequestBytes = maxRequestBytes
            self.verifier = verifier
            self.minerProtocol = minerProtocol
            self.senders = senders
            self.streamEventInterval = streamEventInterval
        }
    }

    /// Builds the server application; run it as a `Service` or with `runService()`.
    public static func application(
        handlers: [any MinerHandler], options: Options, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: OrganicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        let state = MinerState(seed: options.randomSeed)
        router.get("/healthz") { _, _ in ["status": "ok"] }
        switch options.minerProtocol {
        case .btauth, .epistula, .unsigned:
            var verifier = options.verifier
            if options.minerProtocol == .unsigned, verifier != nil {
                logger.warning("serving unsigned requests from anyone: the signature verifier is not used with the unsigned protocol")
                verifier = nil
            }
            let read: BodyReader = { [verifier] request, limit in try await verifiedBody(of: request, limit: limit, verifier: verifier) }
            for handler in handlers {
                register(handler, on: router, state: state, options: options, read: read)
            }
            if let declaration = options.capacityDeclaration {
                declareCapacity(declaration, on: router, capacities: declaredCapacities(handlers, options: options), read: read)
            }
        case .axonSynapse:
            AxonMinerRoutes.register(handlers, on: router, state: state, options: options, logger: logger)
        case .fiber1, .fiber2:
            FiberMinerRoutes.register(handlers, on: router, state: state, options: options, logger: logger)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "organic-miner"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Reads a request's body (at most `limit` bytes of miner request, else 413) and checks it
    /// under the protocol served, returning the miner request's JSON.
    typealias BodyReader = @Sendable (_ request: Request, _ limit: Int) async throws -> ByteBuffer

    /// The capacity this miner enforces and declares, per endpoint.
    static func declaredCapacities(_ handlers: [any MinerHandler], options: Options) -> [String: Int] {
        Dictionary(handlers.map { ($0.endpoint.descriptor.name, options.capacity(for: $0.endpoint.descriptor.name)) }) { a, _ in a }
    }

    /// `POST <declaration path>`: this miner's capacity per endpoint, in the plugin's format.
    static func declareCapacity(_ declaration: CapacityDeclaration, on router: Router<OrganicRequestContext>, capacities: [String: Int],
                                read: @escaping BodyReader) {
        router.post(RouterPath(declaration.minerPath)) { request, _ -> Response in
            _ = try await read(request, 64 << 10)
            return .json(bytes: try declaration.encode(capacities))
        }
    }

    /// `POST <minerPath>`: the request read by `read`, answered as JSON or Server-Sent Events.
    static func register<H: MinerHandler>(_ handler: H, on router: Router<OrganicRequestContext>, state: MinerState, options: Options,
                                          read: @escaping BodyReader) {
        let gate = CapacityGate(capacity: options.capacity(for: handler.endpoint.descriptor.name))
        router.post(RouterPath(handler.endpoint.descriptor.minerPath)) { request, requestContext -> Response in
            guard gate.enter() else {
                throw APIError(.tooManyRequests, code: "miner_busy", message: "At capacity (\(gate.capacity) requests in flight on this endpoint).")
            }
            var holdsGate = true
            defer { if holdsGate { gate.leave() } }
            let buffer = try await read(request, options.maxRequestBytes)
            let decoded = try RequestDecoding.decode(H.Served.MinerRequest.self, from: buffer)
            let (action, random) = await drawFault(state: state, options: options)
            if action == .error {
                throw APIError(.internalServerError, code: "miner_fault", message: "Injected failure.")
            }
            let context = MinerContext(answerWrongly: action == .wrong, random: random)
            if let streaming = handler.endpoint.descriptor.streaming, handler.wantsStream(decoded) {
                // The gate is held until the stream ends, not until the head is sent.
                holdsGate = false
                return streamedAnswer(handler, to: decoded, context: context, settings: streaming, action: action,
                                      interval: options.streamEventInterval, eventLoop: requestContext.eventLoop) { gate.leave() }
            }
            if action == .stall || action == .truncate {
                throw APIError(.internalServerError, code: "miner_fault", message: "Injected failure.")
            }
            let answer = try await handler.respond(to: decoded, context: context)
            return .json(bytes: try DirectJSONEncoder().encode(answer))
        }
    }

    /// A Server-Sent Events answer: one event per chunk, flushed as produced, then the end
    /// marker. A stall fault stops after two events and holds the connection open; a truncate
    /// fault stops halfway and closes without the end marker. With an `interval`, event n leaves
    /// n intervals after the first (a paced stream does not drift when one write is late).
    static func streamedAnswer<H: MinerHandler>(_ handler: H, to request: H.Served.MinerRequest, context: MinerContext, settings: StreamingSettings,
                                                action: MinerFaults.Action, interval: Duration? = nil, eventLoop: (any EventLoop)?,
                                                done: @escaping @Sendable () -> Void) -> Response {
        let body = ResponseBody { writer in
            defer { done() }
            let firstEvent = ContinuousClock.now
            // The framework's encoder, not Foundation's: a chunk's logprobs made Foundation's the
            // largest cost of a streamed answer, taken from the node when both share a machine.
            var encoder = EventEncoder()
            // So that a node reading slowly holds the handler back instead of filling the event loop's queue.
            var pacer = WritePacer(eventLoop: eventLoop)
            var sent = 0
            var chunks = handler.stream(request, context: context).makeAsyncIterator()
            var pending: [H.Served.MinerChunk] = []
            if action == .truncate {
                // Find out how long the answer is, then send half of it.
                while let chunk = try await chunks.next() { pending.append(chunk) }
                pending.removeLast(pending.count - pending.count / 2)
            }
            while true {
                let next: H.Served.MinerChunk?
                if action == .truncate { next = pending.isEmpty ? nil : pending.removeFirst() } else { next = try await chunks.next() }
                guard let chunk = next else { break }
                if action == .stall && sent == 2 {
                    // Returning without finishing the body leaves the answer open and silent until
                    // the node gives up and closes the connection; sleeping here instead would
                    // hold this endpoint's capacity slot long after the node had gone.
                    return
                }
                if let interval, sent > 0 { try await Task.sleep(until: firstEvent + interval * sent, clock: .continuous) }
                var out = encoder.makeBuffer()
                try encoder.append(chunk, to: &out)
                encoder.wrote(out.readableBytes)
                try await writer.write(out)
                try await pacer.wrote(out.readableBytes)
                sent += 1
            }
            if action != .truncate, let marker = settings.endMarker {
                var out = ByteBuffer()
                ServerSentEventWriter.encode(ServerSentEvent(data: marker), into: &out)
                try await writer.write(out)
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Routes that answer 503 `miner_misconfigured`: a protocol that cannot be served as
    /// configured (no ``Options/senders``), said once in the log and on every request.
    static func serveMisconfigured(_ reason: String, paths: [String], on router: Router<OrganicRequestContext>, logger: Logger) {
        logger.error("the miner cannot serve its protocol", metadata: ["reason": "\(reason)"])
        let error = APIError(.serviceUnavailable, code: "miner_misconfigured", message: "This miner is misconfigured: \(reason)")
        for path in Set(paths).sorted() {
            router.post(RouterPath(path)) { _, _ -> Response in throw error }
        }
    }

    /// This request's fault (see ``MinerFaults``) and the random source for its handler; a slow
    /// fault has already waited when this returns.
    static func drawFault(state: MinerState, options: Options) async -> (MinerFaults.Action, OrganicRandom) {
        var random = state.random()
        let action = options.faults.action(for: Double.random(in: 0..<1, using: &random))
        if action == .slow {
            // Cut short by a graceful shutdown so a stopping miner does not hold it up.
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .seconds(double: options.faults.slowDelaySeconds))
            }
        }
        return (action, random)
    }

    /// The request body, at most `limit` bytes, else 413.
    static func collectBody(of request: Request, limit: Int) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    /// The request body (at most `limit` bytes, else 413), after checking the sender's
    /// signature when this miner verifies them.
    static func verifiedBody(of request: Request, limit: Int, verifier: SignedRequestVerifier?) async throws -> ByteBuffer {
        let buffer = try await collectBody(of: request, limit: limit)
        if let verifier {
            _ = try verifier.verify(method: request.method.rawValue, pathAndQuery: request.uri.description,
                                    headers: request.headers, body: Array(buffer.readableBytesView))
        }
        return buffer
    }

    /// The random source, shared by all routes of one server.
    final class MinerState: Sendable {
        private let generator: Locked<OrganicRandom>

        init(seed: UInt64?) {
            generator = Locked(seed.map(OrganicRandom.init(seed:)) ?? OrganicRandom())
        }

        func random() -> OrganicRandom { generator.withLock { $0.split() } }
    }

    /// In-flight counting for one endpoint.
    final class CapacityGate: Sendable {
        let capacity: Int
        private let inFlight = Atomic<Int>(0)

        init(capacity: Int) { self.capacity = capacity }

        func enter() -> Bool {
            if inFlight.add(1, ordering: .relaxed).newValue > capacity {
                inFlight.subtract(1, ordering: .relaxed)
                return false
            }
            return true
        }

        func leave() { inFlight.subtract(1, ordering: .relaxed) }
    }
}

extension ReferenceMinerServer.Options {
    /// Requests served at once on `endpoint`.
    public func capacity(for endpoint: String) -> Int { endpointCapacities[endpoint] ?? capacity }
}
