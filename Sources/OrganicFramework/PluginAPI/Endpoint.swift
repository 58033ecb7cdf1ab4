/// One operation a subnet offers, such as text-to-image or text embeddings.
///
/// An endpoint ties together everything the node needs to serve and score one kind of query:
/// the typed request and response, validation, the organic perturbation, the synthetic
/// generator and the reward function. The node exposes it as `POST /v1/<path>` and forwards
/// the (perturbed) request to miners at ``EndpointDescriptor/minerPath``.
///
/// Only ``descriptor``, ``validate(_:)``, ``makeSyntheticRequest(context:)`` and
/// ``reward(_:)`` are required; the other requirements have defaults.
public protocol Endpoint: Sendable {
    /// What a caller sends; also what the validator forwards to miners.
    associatedtype Request: Codable & Sendable
    /// What a miner returns; also what the caller receives.
    associatedtype Response: Codable & Sendable

    /// Name, paths, limits, price and scoring policy.
    var descriptor: EndpointDescriptor { get }

    /// Checks a decoded request. Throw a ``RequestValidationError`` naming the first wrong field.
    ///
    /// Called on every organic request before it is charged or dispatched, and by the test kit
    /// on every synthetic and perturbed request.
    func validate(_ request: Request) throws(RequestValidationError)

    /// Checks a miner's response. A response that fails is scored as a failure (0) and never
    /// returned to the caller. The default accepts every response that decoded.
    func validate(response: Response, for request: Request) throws(ResponseValidationError)

    /// Changes an organic request so that miners cannot cache or predict the answer,
    /// for example by replacing the seed. Applied after validation, before dispatch.
    /// The result must still pass ``validate(_:)``. The default leaves the request unchanged.
    func perturb(_ request: inout Request, context: inout PerturbationContext)

    /// Produces a random, valid request for synthetic scoring.
    func makeSyntheticRequest(context: inout SyntheticContext) -> Request

    /// Scores the valid answers that miners gave to the same request.
    ///
    /// Miners that failed (timeout, error, invalid response) are scored 0 by the core and do
    /// not appear here. Return one ``MinerReward`` per answer, in the same order, or
    /// ``RewardVerdict/inconclusive(_:)`` when the answers cannot be judged.
    func reward(_ round: ScoringRound<Request, Response>) -> RewardVerdict

    /// Turns the delivered miner answer into what the organic caller receives, for example by
    /// removing fields only the reward needs. Throw a ``CallerRefusal`` to answer the caller
    /// with an error instead (such as 403 for an NSFW image). The default returns the answer.
    func responseForCaller(_ response: Response, to request: Request) throws(CallerRefusal) -> Response

    /// A multiplier for a valid answer's reward from how fast it came, or nil for none (the
    /// default). The core bounds it to [0.5, 1.5], multiplies the reward by it and clamps the
    /// product to [0, 1]; failures stay 0. ``SpeedCurve/factor(latency:expected:)`` is a
    /// ready-made curve.
    func speedFactor(latency: Duration, timeout: Duration) -> Double?
}

extension Endpoint {
    public func validate(response: Response, for request: Request) throws(ResponseValidationError) {}

    public func perturb(_ request: inout Request, context: inout PerturbationContext) {}

    public func responseForCaller(_ response: Response, to request: Request) throws(CallerRefusal) -> Response { response }

    public func speedFactor(latency: Duration, timeout: Duration) -> Double? { nil }
}
