import OrganicFramework

/// Test plugins whose miners are real peers: an SDK 10 Axon serving `Echo`
/// (Tests/Fixtures/axon_sdk10_server.py) and fiber's own miner app serving `/echo`
/// (Tests/Fixtures/fiber_miner.py). Each scores a single answer (verification), so every
/// organic round is recorded with its refusals.
struct AxonEchoPlugin: SubnetPlugin {
    static let name = "axon-echo"
    init(configuration: EmptyPluginConfiguration) {}
    var endpoints: [any Endpoint] { [AxonEchoEndpoint()] }
    var minerProtocol: MinerProtocol? { .axonSynapse }
}

struct AxonEchoEndpoint: Endpoint {
    /// The `Echo` synapse's own fields.
    struct Request: Codable, Sendable {
        var text: String
        var count: Int
        var ratio: Double
    }

    struct Response: Codable, Sendable {
        var answer: String
    }

    var descriptor: EndpointDescriptor {
        EndpointDescriptor(name: "axon-echo", summary: "Echo through an SDK 10 Axon.", timeout: .seconds(20), price: 0,
                           rewardMode: .verification,
                           synapse: SynapseDescription(name: "Echo", requiredHashFields: ["text", "count", "ratio"], floatFields: ["ratio"]))
    }

    func validate(_ request: Request) throws(RequestValidationError) {}
    func makeSyntheticRequest(context: inout SyntheticContext) -> Request? { nil }
    func reward(_ round: ScoringRound<Request, Response>) async -> RewardVerdict {
        .rewards(round.answers.map { MinerReward(score: $0.response.answer.isEmpty ? 0 : 1, reason: "answered") })
    }
}

/// fiber's example miner: `POST /echo {text, numbers}` → `{echo, sum, validator, nonce}`.
struct FiberEchoPlugin: SubnetPlugin {
    struct Configuration: Codable, Sendable {
        var version: String?
    }

    static let name = "fiber-echo"
    let version: MinerProtocol
    init(configuration: Configuration) throws {
        version = configuration.version.flatMap(MinerProtocol.init(rawValue:)) ?? .fiber1
    }

    var endpoints: [any Endpoint] { [FiberEchoEndpoint()] }
    var minerProtocol: MinerProtocol? { version }
}

struct FiberEchoEndpoint: Endpoint {
    struct Request: Codable, Sendable {
        var text: String
        var numbers: [Int]
    }

    struct Response: Codable, Sendable {
        var echo: String
        var sum: Int
        /// The validator hotkey the miner saw in fiber's headers.
        var validator: String
        /// fiber 1.x's validator adds a nonce to every payload; 2.x does not.
        var nonce: String?
    }

    var descriptor: EndpointDescriptor {
        EndpointDescriptor(name: "fiber-echo", minerPath: "/echo", summary: "Echo through fiber's miner app.", timeout: .seconds(20),
                           price: 0, rewardMode: .verification)
    }

    func validate(_ request: Request) throws(RequestValidationError) {}
    func makeSyntheticRequest(context: inout SyntheticContext) -> Request? { nil }
    func reward(_ round: ScoringRound<Request, Response>) async -> RewardVerdict {
        .rewards(round.answers.map { MinerReward(score: $0.response.echo == round.request.text ? 1 : 0) })
    }
}
