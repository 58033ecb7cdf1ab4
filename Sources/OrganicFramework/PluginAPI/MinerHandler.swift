/// The miner side of one endpoint: turns a miner request into a response, or a stream of chunks.
///
/// Plugins return these from ``SubnetPlugin/referenceMiners(options:)``; `organic-miner`
/// serves them over HTTP at the endpoint's ``EndpointDescriptor/minerPath``.
public protocol MinerHandler: Sendable {
    associatedtype Served: Endpoint

    /// The endpoint this handler answers.
    var endpoint: Served { get }

    /// Produces the whole answer. Throwing makes the miner answer 500. The default collects
    /// ``stream(_:context:)`` and assembles it with the endpoint's ``Endpoint/assemble(_:for:)``.
    func respond(to request: Served.MinerRequest, context: MinerContext) async throws -> Served.MinerResponse

    /// Produces a streamed answer, one chunk per Server-Sent Event, for endpoints with
    /// ``EndpointDescriptor/streaming`` set. A stream that throws is cut short (no end marker).
    /// The default throws: the handler does not stream.
    func stream(_ request: Served.MinerRequest, context: MinerContext) -> AsyncThrowingStream<Served.MinerChunk, any Error>

    /// Whether this request asks for a streamed answer (for example `stream: true`). The default
    /// is true exactly when the endpoint streams.
    func wantsStream(_ request: Served.MinerRequest) -> Bool
}

extension MinerHandler {
    public func respond(to request: Served.MinerRequest, context: MinerContext) async throws -> Served.MinerResponse {
        var chunks: [Served.MinerChunk] = []
        for try await chunk in stream(request, context: context) { chunks.append(chunk) }
        return try endpoint.assemble(chunks, for: request)
    }

    public func stream(_ request: Served.MinerRequest, context: MinerContext) -> AsyncThrowingStream<Served.MinerChunk, any Error> {
        let name = endpoint.descriptor.name
        return AsyncThrowingStream { $0.finish(throwing: ResponseValidationError("the handler for '\(name)' does not stream")) }
    }

    public func wantsStream(_ request: Served.MinerRequest) -> Bool { endpoint.descriptor.streaming != nil }
}

/// How a reference miner behaves; set from `organic-miner`'s flags.
public struct ReferenceMinerOptions: Sendable, Hashable {
    /// When set, answers carry small deterministic differences derived from this seed,
    /// imitating a different GPU or driver. Honest answers stay comparable.
    public var hardwareNoiseSeed: UInt64?

    public init(hardwareNoiseSeed: UInt64? = nil) {
        self.hardwareNoiseSeed = hardwareNoiseSeed
    }
}

/// Per-request facts a miner handler may use.
public struct MinerContext: Sendable {
    /// When true, a faulty reference miner is asked to answer wrongly (but validly), for
    /// example by ignoring the prompt or the seed. Honest handlers never see this set.
    public var answerWrongly: Bool
    /// A random source for the handler's own choices.
    public var random: OrganicRandom

    public init(answerWrongly: Bool = false, random: OrganicRandom = OrganicRandom()) {
        self.answerWrongly = answerWrongly
        self.random = random
    }
}
