public import OrganicPluginAPI
import Foundation

/// The conformance suite every plugin should pass. Call it from your own tests:
///
/// ```swift
/// @Test func conforms() async throws {
///     try await PluginConformance.check(try MyPlugin())
/// }
/// ```
/// It checks, for every endpoint and many seeded synthetic requests, that requests and
/// responses round-trip through JSON, generated requests pass validation, perturbation keeps
/// them valid and is reproducible, reference miners' answers pass response validation, and
/// reward functions return one finite score in [0, 1] per answer.
public enum PluginConformance {
    /// Runs every check; throws a ``ConformanceFailure`` listing all problems found.
    public static func check<P: SubnetPlugin>(_ plugin: P, samples: Int = 25, seed: UInt64 = 0x0C0FFEE) async throws {
        var problems: [String] = []
        if P.name.isEmpty || P.name.contains(where: { $0.isWhitespace }) {
            problems.append("plugin name '\(P.name)' must be non-empty and contain no spaces")
        }
        let endpoints = plugin.endpoints
        if endpoints.isEmpty { problems.append("plugin declares no endpoints") }
        let honestA = plugin.referenceMiners(options: .init(hardwareNoiseSeed: 1))
        let honestB = plugin.referenceMiners(options: .init(hardwareNoiseSeed: 2))
        var names = Set<String>()
        for endpoint in endpoints {
            if !names.insert(endpoint.descriptor.name).inserted {
                problems.append("two endpoints are named '\(endpoint.descriptor.name)'")
            }
            problems += await checkEndpoint(endpoint, honestA: honestA, honestB: honestB, samples: samples, seed: seed)
        }
        if !problems.isEmpty { throw ConformanceFailure(plugin: P.name, problems: problems) }
    }

    static func checkEndpoint<E: Endpoint>(_ endpoint: E, honestA: [any MinerHandler], honestB: [any MinerHandler],
                                           samples: Int, seed: UInt64) async -> [String] {
        let d = endpoint.descriptor
        var problems: [String] = []
        func problem(_ text: String) { problems.append("\(d.name): \(text)") }
        if d.name.isEmpty { problem("descriptor name is empty") }
        if d.path.isEmpty || d.path.hasPrefix("/") { problem("path must be non-empty and relative to /v1/") }
        if !d.minerPath.hasPrefix("/") { problem("minerPath must start with /") }
        if d.timeout <= .zero { problem("timeout must be positive") }
        if !d.price.isFinite || d.price < 0 { problem("price must be finite and >= 0") }
        if d.maxRequestBytes <= 0 || d.maxResponseBytes <= 0 { problem("size limits must be positive") }

        let minerA = honestA.first { $0.endpoint.descriptor.name == d.name }
        let minerB = honestB.first { $0.endpoint.descriptor.name == d.name }
        var random = OrganicRandom(seed: seed)
        for sample in 0..<samples {
            var synthetic = SyntheticContext(random: random.split())
            let request = endpoint.makeSyntheticRequest(context: &synthetic)
            do { try endpoint.validate(request) } catch {
                problem("synthetic request #\(sample) fails validation: \(error.field ?? "-"): \(error.message)")
                continue
            }
            if let issue = roundTrip(request) { problem("synthetic request #\(sample): \(issue)") }

            let perturbationSeed = random.next()
            var first = request, second = request
            var c1 = PerturbationContext(random: OrganicRandom(seed: perturbationSeed), seeds: .unassigned)
            var c2 = PerturbationContext(random: OrganicRandom(seed: perturbationSeed), seeds: .unassigned)
            endpoint.perturb(&first, context: &c1)
            endpoint.perturb(&second, context: &c2)
            do { try endpoint.validate(first) } catch {
                problem("perturbed request #\(sample) fails validation: \(error.field ?? "-"): \(error.message)")
                continue
            }
            if (try? JSONEncoder.sorted.encode(first)) != (try? JSONEncoder.sorted.encode(second)) {
                problem("perturbation is not reproducible from the same random source (use context.random only)")
            }

            guard let minerA, let minerB else { continue }
            let a = await respond(minerA, to: first, as: E.self, wrongly: false)
            let b = await respond(minerB, to: first, as: E.self, wrongly: false)
            let wrong = await respond(minerB, to: first, as: E.self, wrongly: true)
            var answers: [MinerAnswer<E.Response>] = []
            for (label, outcome) in [("honest miner A", a), ("honest miner B", b), ("wrong-answer miner", wrong)] {
                switch outcome {
                case .failure(let message): problem("\(label) failed on request #\(sample): \(message)")
                case .success(let response):
                    do { try endpoint.validate(response: response, for: first) } catch {
                        problem("\(label)'s response to request #\(sample) fails response validation: \(error.message)")
                        continue
                    }
                    if let issue = roundTrip(response) { problem("\(label)'s response #\(sample): \(issue)") }
                    answers.append(MinerAnswer(miner: MinerIdentity(uid: UInt16(answers.count), hotkey: label), response: response,
                                               latency: .milliseconds(100), responseBytes: 0))
                }
            }
            for count in 1...answers.count where !answers.isEmpty {
                let round = ScoringRound(request: first, answers: Array(answers.prefix(count)), isOrganic: sample % 2 == 0, timeout: d.timeout)
                switch endpoint.reward(round) {
                case .inconclusive: break
                case .rewards(let rewards):
                    if rewards.count != count { problem("reward returned \(rewards.count) scores for \(count) answers") }
                    if let bad = rewards.first(where: { !$0.score.isFinite || !(0...1).contains($0.score) }) {
                        problem("reward returned \(bad.score), outside [0, 1]")
                    }
                }
            }
        }
        return problems
    }

    enum Outcome<R> { case success(R), failure(String) }

    static func respond<H: MinerHandler, E: Endpoint>(_ handler: H, to request: E.Request, as: E.Type, wrongly: Bool) async -> Outcome<E.Response> {
        guard let typed = request as? H.Served.Request else { return .failure("miner handler serves another request type") }
        do {
            let response = try await handler.respond(to: typed, context: MinerContext(answerWrongly: wrongly, random: OrganicRandom(seed: 7)))
            guard let result = response as? E.Response else { return .failure("miner handler returns another response type") }
            return .success(result)
        } catch {
            return .failure("\(error)")
        }
    }

    /// Encodes, decodes and encodes again; the two encodings must match.
    static func roundTrip<T: Codable>(_ value: T) -> String? {
        do {
            let data = try JSONEncoder.sorted.encode(value)
            let decoded = try JSONDecoder().decode(T.self, from: data)
            let again = try JSONEncoder.sorted.encode(decoded)
            return data == again ? nil : "JSON round trip changed the value"
        } catch {
            return "JSON round trip failed: \(error)"
        }
    }
}

/// What ``PluginConformance/check(_:samples:seed:)`` found wrong.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public var plugin: String
    public var problems: [String]
    public var description: String {
        "plugin '\(plugin)' fails \(problems.count) conformance check(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
