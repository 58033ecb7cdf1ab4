import AsyncHTTPClient
import Foundation
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
@testable import TextGenerationPlugin
import Testing

/// Acceptance test for per-token billing: what callers are charged equals, to the thousandth of a
/// credit, the usage they were told about in their streams.
@Suite("Streamed per-token billing", .serialized)
struct StreamedBillingTests {
    /// Prices in micro-credits, chosen so that most requests' raw cost is not a whole thousandth.
    static let promptMicro: Int64 = 1300
    static let completionMicro: Int64 = 2700

    /// What one caller read from its stream.
    struct Streamed: Sendable {
        var status: Int
        var usage: CompletionUsage?
        var text: String
        var done: Bool
        var errorEvents: Int
    }

    /// Sends one streamed chat completion and reads the stream to its end.
    static func stream(_ client: HTTPClient, url: String, key: String, request: ChatCompletionRequest) async throws -> Streamed {
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = .POST
        outgoing.headers.add(name: "Authorization", value: "Bearer \(key)")
        outgoing.headers.add(name: "Content-Type", value: "application/json")
        outgoing.body = .bytes(Array(try JSONEncoder().encode(request)))
        let response = try await client.execute(outgoing, timeout: .seconds(50))
        var bytes: [UInt8] = []
        for try await buffer in response.body { bytes += buffer.readableBytesView }
        var streamed = Streamed(status: Int(response.status.code), usage: nil, text: "", done: false, errorEvents: 0)
        for event in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n") where !event.isEmpty {
            guard event.hasPrefix("data: ") else { continue }
            let data = event.dropFirst(6)
            if data == "[DONE]" {
                streamed.done = true
            } else if let chunk = try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(data.utf8)), chunk.object == "chat.completion.chunk" {
                if let usage = chunk.usage { streamed.usage = usage }
                streamed.text += chunk.choices.compactMap(\.delta.content).joined()
            } else {
                streamed.errorEvents += 1
            }
        }
        return streamed
    }

    /// The charge for `usage` in thousandths of a credit, rounded up per request (independent of
    /// the node's PriceSchedule).
    static func millis(for usage: CompletionUsage) -> Int64 {
        let micro = Int64(usage.promptTokens) * promptMicro + Int64(usage.completionTokens) * completionMicro
        return (micro + 999) / 1000
    }

    @Test("1,000 concurrent streamed requests: the balance falls by exactly the usage each caller was shown, priced per request")
    func thousandStreams() async throws {
        let plugin = try TextGenerationPlugin(configuration: .init(
            maxTokens: 16, defaultMaxTokens: 8, promptTokenPrice: Double(Self.promptMicro) / 1e6,
            completionTokenPrice: Double(Self.completionMicro) / 1e6, timeoutSeconds: 40, chunkTimeoutSeconds: 20))
        var configuration = PluginHarness.testConfiguration()
        // All 1,000 may wait in the node at once; none may be shed.
        configuration.dispatch.queues.maxDepth = 2000
        configuration.dispatch.queues.maxTotalQueued = 4000
        configuration.dispatch.queues.maxWaitFraction = 0.9
        let miners = (1...3).map { LocalNetwork.MinerSpec(hardwareNoiseSeed: UInt64($0), capacity: 48) }
        // 1,000 requests share 250 connections: a request may wait for one as long as it may wait
        // for its answer (the client's default, 10 s, fails on a busy machine, not in the node).
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            timeout: .init(connect: .seconds(50)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 250)))
        do {
            try await Self.run(plugin: plugin, miners: miners, configuration: configuration, client: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func run(plugin: TextGenerationPlugin, miners: [LocalNetwork.MinerSpec], configuration: NodeConfiguration,
                    client: HTTPClient) async throws {
        try await PluginHarness.run(plugins: [plugin], miners: miners, configuration: configuration) { net in
            let initial = Credits(millis: 400_000)
            let key = try await net.createKey(KeyCreation(name: "streamer", credits: initial.value))
            let url = net.publicURL + "/v1/chat/completions"
            let results = try await withThrowingTaskGroup(of: Streamed.self) { group in
                for i in 0..<1000 {
                    let request = ChatCompletionRequest(
                        messages: [.init(role: "user", content: "Describe picture \(i): " + String(repeating: "a lighthouse at dusk ", count: i % 4))],
                        maxTokens: 1 + i % 8, stream: true, streamOptions: .init(includeUsage: true))
                    group.addTask { try await Self.stream(client, url: url, key: key.key, request: request) }
                }
                return try await group.reduce(into: [Streamed]()) { $0.append($1) }
            }
            #expect(results.count == 1000)
            let failed = results.filter { $0.status != 200 || !$0.done || $0.errorEvents > 0 || $0.usage == nil }
            #expect(failed.isEmpty, "\(failed.count) streams failed, e.g. status \(failed.first?.status ?? 0)")
            let usages = results.compactMap(\.usage)
            #expect(usages.allSatisfy { $0.completionTokens <= 8 && $0.promptTokens > 0 })
            let expectedCharge = usages.reduce(Int64(0)) { $0 + Self.millis(for: $1) }
            // Rounding per request matters here: the sum rounded once would be less.
            let unrounded = usages.reduce(Int64(0)) { $0 + Int64($1.promptTokens) * Self.promptMicro + Int64($1.completionTokens) * Self.completionMicro }
            #expect(expectedCharge * 1000 > unrounded)

            // Settlement follows the last write of each stream by milliseconds.
            var details = try await net.context.keys?.show(id: key.record.id, ledgerLimit: 1_000_000)
            let settled = await eventually {
                details = try? await net.context.keys?.show(id: key.record.id, ledgerLimit: 1_000_000)
                return details?.held == .zero && details?.ledger?.filter { $0.kind == .charge }.count == 1000
            }
            #expect(settled, "every request charged, nothing held")
            let ledger = details?.ledger ?? []
            #expect(ledger.filter { $0.kind == .charge }.count == 1000)
            #expect(ledger.count == 1001, "one charge line per request, and the grant")
            #expect(details?.balance == Credits(millis: initial.millis - expectedCharge),
                    "charged \(initial.millis - (details?.balance.millis ?? 0)), expected \(expectedCharge)")
            #expect(ledger.reduce(Int64(0)) { $0 + $1.amount.millis } == details?.balance.millis)

            // The usage log agrees with what the callers were shown.
            let report = try #require(try await net.context.keys?.usage(id: key.record.id, days: 1))
            let chat = report.days.filter { $0.endpoint == "chat-completions" }
            #expect(chat.map(\.requests).reduce(0, +) == 1000)
            #expect(chat.map(\.credits.millis).reduce(0, +) == expectedCharge)
            #expect(chat.map { $0.units[TokenUsage.promptTokens] ?? 0 }.reduce(0, +) == usages.map(\.promptTokens).reduce(0, +))
            #expect(chat.map { $0.units[TokenUsage.completionTokens] ?? 0 }.reduce(0, +) == usages.map(\.completionTokens).reduce(0, +))
        }
    }
}
