import Foundation
import Logging
import OrganicTestKit
import ServiceLifecycle
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework
@testable import OrganicMinerKit

/// A second plugin for the two-subnet node: counts the characters of a text.
struct LengthPlugin: SubnetPlugin {
    static let name = "length"
    init(configuration: EmptyPluginConfiguration) {}
    var endpoints: [any Endpoint] { [LengthEndpoint()] }
    func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] { [LengthMiner()] }
}

struct LengthEndpoint: Endpoint {
    struct Request: Codable, Sendable { var text: String }
    struct Response: Codable, Sendable { var length: Int }

    var descriptor: EndpointDescriptor { EndpointDescriptor(name: "text-length", summary: "Characters in a text.", price: 0) }
    func validate(_ request: Request) throws(RequestValidationError) {}
    func makeSyntheticRequest(context: inout SyntheticContext) -> Request? {
        Request(text: String(repeating: "a", count: Int.random(in: 1...40, using: &context.random)))
    }

    func reward(_ round: ScoringRound<Request, Response>) async -> RewardVerdict {
        .rewards(round.answers.map { MinerReward(score: $0.response.length == round.request.text.count ? 1 : 0) })
    }
}

struct LengthMiner: MinerHandler {
    var endpoint: LengthEndpoint { LengthEndpoint() }
    func respond(to request: LengthEndpoint.Request, context: MinerContext) async throws -> LengthEndpoint.Response {
        .init(length: context.answerWrongly ? request.text.count + 1 : request.text.count)
    }
}

/// One node serving two subnets: each has its own metagraph (netuid, miners), its own scores and
/// its own weights, and neither sees the other's miners.
@Suite("One node, two subnets", .serialized)
struct MultiSubnetTests {
    /// Starts one reference miner per entry (`wrong`: answers wrongly but validly), returns their URLs.
    static func withMiners(_ plugin: any SubnetPlugin, wrong: [Bool], _ body: ([String]) async throws -> Void) async throws {
        let ports = ListenerReadiness()
        let logger = Logger(label: "miners", factory: { _ in SwiftLogNoOpLogHandler() })
        var apps: [any Service] = []
        for (index, isWrong) in wrong.enumerated() {
            apps.append(ReferenceMinerServer.application(
                handlers: plugin.referenceMiners(options: .init(hardwareNoiseSeed: UInt64(index + 1))),
                options: .init(faults: isWrong ? MinerFaults(wrongAnswerRate: 1) : .none, randomSeed: UInt64(index)), logger: logger,
                onRunning: { port in await ports.bound("m\(index)", port: port) }))
        }
        let group = ServiceGroup(configuration: .init(services: apps, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let bound = await ports.wait(for: Set(wrong.indices.map { "m\($0)" }))
            let urls = wrong.indices.map { "http://127.0.0.1:\(bound["m\($0)"] ?? 0)" }
            do { try await body(urls) } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("scores, weights and netuids stay per subnet; a faulty miner on one subnet loses weight there only")
    func separateScoresAndWeights() async throws {
        try await Self.withMiners(try TextEmbeddingPlugin(), wrong: [false, false]) { embedding in
            try await Self.withMiners(try LengthPlugin(), wrong: [false, false, true]) { length in
                var configuration = PluginHarness.testConfiguration()
                configuration.auth.enabled = false
                configuration.chain.netuid = 7
                configuration.miners = embedding.enumerated().map { StaticMiner(uid: $0.offset + 1, hotkey: "emb-\($0.offset + 1)", url: $0.element) }
                configuration.subnets = [.init(name: "len", plugins: ["length"], netuid: 9,
                                               miners: length.enumerated().map { StaticMiner(uid: $0.offset + 5, hotkey: "len-\($0.offset + 5)", url: $0.element) },
                                               minerProtocol: .unsigned)]
                configuration.synthetic.enabled = true
                configuration.synthetic.intervalSeconds = 0.05
                configuration.scoring.periodSeconds = 1
                configuration.scoring.minimumPeriods = 1
                let node = try OrganicNode(configuration: configuration, plugins: [try TextEmbeddingPlugin(), try LengthPlugin()],
                                           logger: Logger(label: "test-node", factory: { _ in SwiftLogNoOpLogHandler() }))
                let runner = try await node.makeRunner()
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await runner.run() }
                    let addresses = await runner.addresses()
                    let admin = TestHTTPClient(defaultHeaders: ["Authorization": "Bearer \(PluginHarness.adminToken)"])
                    let adminURL = try #require(addresses.adminURL)
                    // Weights appear once a period with scores on every miner has closed.
                    func weights(_ query: String) async throws -> WeightReport {
                        let decoder = JSONDecoder()
                        decoder.dateDecodingStrategy = .iso8601
                        return try decoder.decode(WeightReport.self, from: try await admin.get(adminURL + "/admin/weights" + query).body)
                    }
                    let ready = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                        guard let a = try? await weights(""), let b = try? await weights("?subnet=len") else { return false }
                        return Set(a.uids) == [1, 2] && Set(b.uids).isSuperset(of: [5, 6])
                    }
                    #expect(ready, "both subnets have weights for their honest miners")
                    let embeddingWeights = try await weights("")
                    let lengthWeights = try await weights("?subnet=len")
                    #expect(embeddingWeights.netuid == 7 && lengthWeights.netuid == 9)
                    #expect(Set(embeddingWeights.uids).isSubset(of: [1, 2]), "\(embeddingWeights.uids)")
                    #expect(Set(lengthWeights.uids).isSubset(of: [5, 6, 7]), "\(lengthWeights.uids)")
                    let share = Dictionary(uniqueKeysWithValues: lengthWeights.normalized.map { ($0.uid, $0.weight) })
                    #expect((share[7] ?? 0) < (share[5] ?? 0) && (share[7] ?? 0) < (share[6] ?? 0), "the faulty miner earns less: \(share)")

                    let decoder = JSONDecoder()
                    decoder.dateDecodingStrategy = .iso8601
                    let scores = try decoder.decode(ScoreReport.self, from: try await admin.get(adminURL + "/admin/scores?subnet=len").body)
                    #expect(scores.subnet == "len" && scores.subnets == ["default", "len"])
                    let standings = try #require(scores.standings)
                    #expect(standings.miners.allSatisfy { $0.hotkey.hasPrefix("len-") }, "\(standings.miners.map(\.hotkey))")
                    #expect(standings.miners.flatMap(\.endpoints).allSatisfy { $0.endpoint == "text-length" })
                    let unknown = try await admin.get(adminURL + "/admin/weights?subnet=nope")
                    #expect(unknown.status == 404 && unknown.text.contains("unknown_subnet"))
                    let miners = try await admin.get(adminURL + "/admin/miners").decode(MinersReport.self)
                    #expect(Set(miners.miners.map(\.hotkey)) == ["emb-1", "emb-2", "len-5", "len-6", "len-7"])

                    await runner.shutdown()
                    try await tasks.waitForAll()
                }
            }
        }
    }

    @Test("subnets must name loaded plugins, each at most once, with unique names")
    func subnetChecks() throws {
        let plugins: [any SubnetPlugin] = [try TextEmbeddingPlugin(), try LengthPlugin()]
        var configuration = PluginHarness.testConfiguration()
        configuration.subnets = [.init(plugins: ["length"], netuid: 9)]
        let plans = try OrganicNode.checked(configuration, plugins: plugins).subnets
        #expect(plans.map(\.name) == ["default", "netuid-9"])
        #expect(plans.map { $0.routes.map(\.descriptor.name) } == [["text-embeddings"], ["text-length"]])
        #expect(plans[1].configuration.chain.netuid == 9)

        for bad in [[NodeConfiguration.Subnet(plugins: ["nope"])], [.init(plugins: [])],
                    [.init(plugins: ["length"]), .init(plugins: ["length"])],
                    [.init(name: "x", plugins: ["length"]), .init(name: "x", plugins: ["text-embedding"])],
                    [.init(name: "default", plugins: ["length"])], [.init(plugins: ["length"], setWeights: true)]] {
            configuration.subnets = bad
            #expect(throws: ConfigurationError.self, "\(bad)") { try OrganicNode.checked(configuration, plugins: plugins) }
        }
    }
}
