/// One operation a subnet offers, such as text-to-image, text embeddings or chat completions.
///
/// An endpoint ties together everything the node needs to serve and score one kind of query:
/// the typed request and response, validation, the mapping of a caller's request to what
/// miners receive (perturbation and validator-only fields), the synthetic generator, the reward
/// function and, optionally, usage-based pricing and streaming. The node exposes it as
/// `POST /v1/<path>` and forwards the miner's request to ``EndpointDescriptor/minerPath``.
///
/// Only ``descriptor``, ``validate(_:)``, ``makeSyntheticRequest(context:)`` and ``reward(_:)``
/// are required. An endpoint whose
/// callers and miners speak the same shape uses one `Request` and one `Response` type; an
/// endpoint that needs validator-only fields (a seed the caller may not choose, a log-probability
/// request) sets `MinerRequest`/`MinerResponse` and implements ``minerRequest(for:context:)`` and
/// ``responseForCaller(_:to:caller:)``.
public protocol Endpoint: Sendable {
    /// What a caller sends.
    associatedtype Request: Codable & Sendable
    /// What the caller receives (the whole answer; streamed answers arrive as `CallerChunk`s).
    associatedtype Response: Codable & Sendable
    /// What miners receive; the caller's `Request` unless the plugin needs validator-only fields.
    associatedtype MinerRequest: Codable & Sendable = Request
    /// What miners answer; the caller's `Response` unless the plugin needs another shape.
    associatedtype MinerResponse: Codable & Sendable = Response
    /// One event of a miner's streamed answer (Server-Sent Events `data:`); `Never` when the
    /// endpoint does not stream.
    associatedtype MinerChunk: Codable & Sendable = Never
    /// One event relayed to a caller who asked for a stream; `Never` when the endpoint does not stream.
    associatedtype CallerChunk: Codable & Sendable = Never

    /// Name, paths, limits, prices, streaming and scoring policy.
    var descriptor: EndpointDescriptor { get }

    /// Checks a decoded request. Throw a ``RequestValidationError`` naming the first wrong field.
    ///
    /// Called on every organic request before it is charged or dispatched, and by the test kit
    /// on every synthetic request.
    func validate(_ request: Request) throws(RequestValidationError)

    /// Builds what miners receive from a caller's (or the synthetic generator's) request, adding
    /// the fields only the validator may set. The default, for endpoints whose miners take the
    /// caller's shape, returns the request itself. ``perturb(_:context:)`` runs afterwards.
    func minerRequest(for request: Request, context: inout PerturbationContext) -> MinerRequest

    /// Changes a miner request so that miners cannot cache or predict the answer, for example by
    /// replacing the seed. The default leaves the request unchanged.
    func perturb(_ request: inout MinerRequest, context: inout PerturbationContext)

    /// Checks a miner's (assembled) response. A response that fails is scored as a failure (0)
    /// and never returned to the caller. The default accepts every response that decoded.
    func validate(response: MinerResponse, for request: MinerRequest) throws(ResponseValidationError)

    /// Produces a random, valid request for synthetic scoring, shaped as a caller would send it;
    /// return nil when the endpoint has no synthetic generator, which only an
    /// ``ScoringPolicy/organicOnly`` endpoint may lack. (Required, with no default, so that a
    /// generator written with a slightly different signature cannot be silently ignored.)
    func makeSyntheticRequest(context: inout SyntheticContext) -> Request?

    /// Scores the valid answers that miners gave to the same request. It may suspend, for
    /// example to ask a checking service; the node bounds it by
    /// ``EndpointDescriptor/scoringTimeout`` and runs it after the caller has been answered.
    ///
    /// Miners that failed (timeout, error, invalid response, stalled stream) are scored 0 by the
    /// core and do not appear here. Return one ``MinerReward`` per answer, in the same order, or
    /// ``RewardVerdict/inconclusive(_:)`` when the answers cannot be judged.
    func reward(_ round: ScoringRound<MinerRequest, MinerResponse>) async -> RewardVerdict

    /// How two answers to `request` are compared, for a consensus endpoint
    /// (``EndpointDescriptor/rewardMode`` `.consensus`); nil (the default) turns tie-breaks off.
    /// When the answers to a scored round disagree, the core sends the request to up to
    /// `scoring.maxReferees` more miners and scores every answer by its agreement with the
    /// largest agreeing group instead of calling ``reward(_:)``. Use the same agreement in the
    /// reward (``ConsensusReward/rewards(for:agreement:)``) so that both judge alike.
    func agreement(for request: MinerRequest) -> AnswerAgreement<MinerResponse>?

    /// Turns the delivered miner answer into what the organic caller receives, for example by
    /// removing fields only the reward needs. `caller` is the request exactly as the caller sent
    /// it. Throw a ``CallerRefusal`` to answer the caller with an error instead (such as 403 for
    /// an NSFW image). The default returns the answer when the shapes are the same.
    func responseForCaller(_ response: MinerResponse, to request: MinerRequest, caller: Request) throws(CallerRefusal) -> Response

    /// Whether callers receive the miner's answer exactly as the miner sent it. Declare true
    /// when ``responseForCaller(_:to:caller:)`` returns the answer unchanged (and `Response` is
    /// `MinerResponse`): the node then checks the miner's bytes (strict RFC 8259 JSON, no
    /// repeated keys), decodes them for ``validate(response:for:)`` and scoring, and hands the
    /// caller those bytes instead of encoding the decoded value again, which is most of what a
    /// proxy hop costs on large answers. Fields a miner adds beyond `Response` then reach the
    /// caller. The default is false.
    var forwardsMinerAnswer: Bool { get }

    /// A multiplier for a valid answer's reward from how fast it came, or nil for none (the
    /// default). The core bounds it to [0.5, 1.5], multiplies the reward by it and clamps the
    /// product to [0, 1]; failures stay 0. ``SpeedCurve/factor(latency:expected:)`` is a
    /// ready-made curve. Streaming endpoints usually fold time to first chunk and chunk rate
    /// (``MinerAnswer/timeToFirstChunk``) into their reward instead.
    func speedFactor(latency: Duration, timeout: Duration) -> Double?

    // MARK: Pricing

    /// The most a request can consume, in the units of ``EndpointDescriptor/unitPrices``; the
    /// node reserves its price before dispatch (402 when the balance cannot cover it). The
    /// default is nothing beyond the per-call price.
    func maximumUsage(of request: Request) -> Usage

    /// What a delivered answer consumed. For a stream cut short by the caller, `response` is
    /// assembled from the chunks actually delivered. The charge is the per-call price plus these
    /// units at their prices, never more than what was reserved. The default is nothing beyond
    /// the per-call price.
    func usage(of response: MinerResponse, for request: MinerRequest, caller: Request) -> Usage

    // MARK: Model routing

    /// The model a request asks for, when the endpoint routes by model
    /// (``EndpointDescriptor/routesByModel``): only miners that serve it are chosen. The default is nil.
    func model(of request: Request) -> String?

    // MARK: Streaming (endpoints with ``EndpointDescriptor/streaming`` set)

    /// Whether the caller asked to receive the answer as a stream (for example `stream: true`).
    /// The default is false: the caller receives one JSON body.
    func streamsToCaller(_ request: Request) -> Bool

    /// Builds the miner's response from the chunks of its stream, for scoring, for callers who
    /// did not ask for a stream and for usage. Called with a prefix of the stream too (a caller
    /// that left early is charged for what it received). The default throws: the endpoint does
    /// not stream.
    func assemble(_ chunks: [MinerChunk], for request: MinerRequest) throws(ResponseValidationError) -> MinerResponse

    /// What the caller receives for one miner chunk; nil skips it. The default skips every chunk.
    func callerChunk(_ chunk: MinerChunk, index: Int, for request: MinerRequest, caller: Request) -> CallerChunk?

    /// The edits that make the caller's event from the miner's event text, when
    /// ``callerChunk(_:index:for:caller:)`` only sets or removes members (such as the model name,
    /// or the log-probabilities only the validator asked for); nil (the default) when it does more.
    ///
    /// With edits, the node still decodes every miner chunk (for the stream's checks, the answer
    /// and the charge), but writes the caller's event by splicing the edits into the miner's text
    /// instead of encoding ``callerChunk(_:index:for:caller:)``'s value (for a chat chunk, 0.8 µs
    /// instead of 1.4 µs in `organic-bench json`). Members the edits leave reach the caller as the
    /// miner wrote them: name each object's members with ``JSONEdits/keepOnly(_:at:)`` so that what
    /// a miner adds (a `tool_calls` nobody asked for) does not. ``PluginConformance`` checks that the
    /// edited text of every reference chunk is, member for member, the chunk ``callerChunk(_:index:for:caller:)`` returns.
    func callerChunkEdits(for request: MinerRequest, caller: Request) -> JSONEdits?

    /// Events sent to a streaming caller after the last miner chunk, before the end marker (for
    /// example a final chunk carrying `usage`). The default sends none.
    func closingChunks(_ response: MinerResponse, for request: MinerRequest, caller: Request) -> [CallerChunk]

    // MARK: API description

    /// The JSON schemas of the request, the answer and a stream event, for the OpenAPI document.
    /// The default takes them from the types (``OpenAPISchemaProviding``); override it to add
    /// the ranges and choices ``validate(_:)`` enforces.
    var schemas: EndpointSchemas { get }
}

extension Endpoint {
    public func perturb(_ request: inout MinerRequest, context: inout PerturbationContext) {}

    public func validate(response: MinerResponse, for request: MinerRequest) throws(ResponseValidationError) {}

    public func speedFactor(latency: Duration, timeout: Duration) -> Double? { nil }

    public var forwardsMinerAnswer: Bool { false }

    public func agreement(for request: MinerRequest) -> AnswerAgreement<MinerResponse>? { nil }

    public func maximumUsage(of request: Request) -> Usage { Usage() }

    public func usage(of response: MinerResponse, for request: MinerRequest, caller: Request) -> Usage { Usage() }

    public func model(of request: Request) -> String? { nil }

    public func streamsToCaller(_ request: Request) -> Bool { false }

    public func assemble(_ chunks: [MinerChunk], for request: MinerRequest) throws(ResponseValidationError) -> MinerResponse {
        throw ResponseValidationError("the endpoint '\(descriptor.name)' does not stream")
    }

    public func callerChunk(_ chunk: MinerChunk, index: Int, for request: MinerRequest, caller: Request) -> CallerChunk? { nil }

    public func closingChunks(_ response: MinerResponse, for request: MinerRequest, caller: Request) -> [CallerChunk] { [] }

    public func callerChunkEdits(for request: MinerRequest, caller: Request) -> JSONEdits? { nil }
}

extension Endpoint where MinerRequest == Request {
    public func minerRequest(for request: Request, context: inout PerturbationContext) -> MinerRequest { request }
}

extension Endpoint where MinerResponse == Response {
    public func responseForCaller(_ response: MinerResponse, to request: MinerRequest, caller: Request) throws(CallerRefusal) -> Response {
        response
    }
}
