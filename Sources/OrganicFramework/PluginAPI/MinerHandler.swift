/// The miner side of one endpoint: turns a request into a response.
///
/// Plugins return these from ``SubnetPlugin/referenceMiners(options:)``; `organic-miner`
/// serves them over HTTP at the endpoint's ``EndpointDescriptor/minerPath``.
public protocol MinerHandler: Sendable {
    associatedtype Served: Endpoint

    /// The endpoint this handler answers.
    var endpoint: Served { get }

    /// Produces the answer. Throwing makes the miner answer 500.
    func respond(to request: Served.Request, context: MinerContext) async throws -> Served.Response
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
