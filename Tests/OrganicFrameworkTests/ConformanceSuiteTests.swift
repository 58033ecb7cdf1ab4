import OrganicPluginAPI
import OrganicTestKit
import Testing

/// The conformance suite must catch plugins that break the contract.
@Suite("Conformance suite")
struct ConformanceSuiteTests {
    struct BrokenEndpoint: Endpoint {
        struct Request: Codable, Sendable { var n: Int }
        struct Response: Codable, Sendable { var n: Int }
        var descriptor: EndpointDescriptor { EndpointDescriptor(name: "broken", summary: "breaks every rule") }
        func validate(_ request: Request) throws(RequestValidationError) {
            guard request.n >= 0 else { throw RequestValidationError(field: "n", message: "n must be >= 0") }
        }
        // Generates invalid requests half of the time.
        func makeSyntheticRequest(context: inout SyntheticContext) -> Request? { Request(n: Int.random(in: -5...5, using: &context.random)) }
        func reward(_ round: ScoringRound<Request, Response>) -> RewardVerdict { .rewards(round.answers.map { _ in MinerReward(score: 2) }) }
        // Claims callers get the miner's bytes, yet changes the answer for them.
        var forwardsMinerAnswer: Bool { true }
        func responseForCaller(_ response: Response, to request: Request, caller: Request) throws(CallerRefusal) -> Response { Response(n: response.n + 1) }
    }

    struct BrokenMiner: MinerHandler {
        let endpoint = BrokenEndpoint()
        func respond(to request: BrokenEndpoint.Request, context: MinerContext) async throws -> BrokenEndpoint.Response { .init(n: request.n) }
    }

    struct BrokenPlugin: SubnetPlugin {
        static let name = "broken"
        init(configuration: EmptyPluginConfiguration) {}
        var endpoints: [any Endpoint] { [BrokenEndpoint()] }
        func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] { [BrokenMiner()] }
    }

    @Test("invalid synthetic requests, out-of-range rewards and a false forwardsMinerAnswer are reported")
    func catchesViolations() async throws {
        do {
            try await PluginConformance.check(BrokenPlugin(configuration: .init()))
            Issue.record("the broken plugin passed")
        } catch let failure as ConformanceFailure {
            #expect(failure.problems.contains { $0.contains("fails validation") })
            #expect(failure.problems.contains { $0.contains("outside [0, 1]") })
            #expect(failure.problems.contains { $0.contains("forwardsMinerAnswer is declared but responseForCaller changes the answer") })
        }
    }
}
