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
/// responses round-trip through JSON, generated requests pass validation, the caller-to-miner
/// mapping and perturbation are reproducible, reference miners' answers (streamed ones assembled
/// from their chunks, and every prefix of them) pass response validation and map to what the
/// caller receives, usage stays within the reserved maximum, and reward functions (which may
/// suspend) return one finite score in [0, 1] per answer within the scoring timeout.
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
        if d.scoringTimeout <= .zero { problem("scoringTimeout must be positive") }
        if !d.price.isFinite || d.price < 0 { problem("price must be finite and >= 0") }
        if let bad = d.unitPrices.first(where: { !$0.value.isFinite || $0.value < 0 }) { problem("unit price of '\(bad.key)' must be finite and >= 0") }
        if d.maxRequestBytes <= 0 || d.maxResponseBytes <= 0 { problem("size limits must be positive") }
        if let streaming = d.streaming, streaming.chunkTimeout <= .zero { problem("streaming chunkTimeout must be positive") }
        if d.routesByModel && d.models.isEmpty { problem("routesByModel is set but the endpoint lists no models") }

        let minerA = honestA.first { $0.endpoint.descriptor.name == d.name }
        let minerB = honestB.first { $0.endpoint.descriptor.name == d.name }
        var random = OrganicRandom(seed: seed)
        for sample in 0..<samples {
            var synthetic = SyntheticContext(random: random.split())
            guard let request = endpoint.makeSyntheticRequest(context: &synthetic) else {
                if d.scoring.scoresSynthetic { problem("scored on synthetic queries (\(d.scoring.rawValue)) but makeSyntheticRequest returned nil") }
                break
            }
            do { try endpoint.validate(request) } catch {
                problem("synthetic request #\(sample) fails validation: \(error.field ?? "-"): \(error.message)")
                continue
            }
            if let issue = roundTrip(request) { problem("synthetic request #\(sample): \(issue)") }
            if d.routesByModel, let model = endpoint.model(of: request), !d.models.contains(model) {
                problem("synthetic request #\(sample) asks for model '\(model)', which the endpoint does not list")
            }

            let perturbationSeed = random.next()
            let first = minerRequest(endpoint, for: request, seed: perturbationSeed)
            let second = minerRequest(endpoint, for: request, seed: perturbationSeed)
            if let issue = roundTrip(first) { problem("miner request #\(sample): \(issue)") }
            if (try? JSONEncoder.sorted.encode(first)) != (try? JSONEncoder.sorted.encode(second)) {
                problem("the miner request is not reproducible from the same random source (use context.random only)")
            }

            guard let minerA, let minerB else { continue }
            let a = await respond(minerA, to: first, as: E.self, wrongly: false)
            let b = await respond(minerB, to: first, as: E.self, wrongly: false)
            let wrong = await respond(minerB, to: first, as: E.self, wrongly: true)
            var answers: [MinerAnswer<E.MinerResponse>] = []
            for (label, outcome) in [("honest miner A", a), ("honest miner B", b), ("wrong-answer miner", wrong)] {
                switch outcome {
                case .failure(let message): problem("\(label) failed on request #\(sample): \(message)")
                case .success(let answer):
                    do { try endpoint.validate(response: answer.response, for: first) } catch {
                        problem("\(label)'s response to request #\(sample) fails response validation: \(error.message)")
                        continue
                    }
                    if let issue = roundTrip(answer.response) { problem("\(label)'s response #\(sample): \(issue)") }
                    problems += checkDelivery(endpoint, answer: answer, request: first, caller: request, label: "\(label), request #\(sample)")
                    answers.append(MinerAnswer(miner: MinerIdentity(uid: UInt16(answers.count), hotkey: label), response: answer.response,
                                               latency: .milliseconds(100), responseBytes: 0,
                                               timeToFirstChunk: answer.chunks == nil ? nil : .milliseconds(10), chunkCount: answer.chunks?.count ?? 0))
                }
            }
            for count in 1...answers.count where !answers.isEmpty {
                let round = ScoringRound(request: first, answers: Array(answers.prefix(count)), isOrganic: sample % 2 == 0, timeout: d.timeout,
                                         random: OrganicRandom(seed: perturbationSeed))
                let clock = ContinuousClock()
                let started = clock.now
                let verdict = await endpoint.reward(round)
                if clock.now - started > d.scoringTimeout { problem("reward took longer than the scoring timeout (\(d.scoringTimeout))") }
                switch verdict {
                case .inconclusive: break
                case .rewards(let rewards):
                    if rewards.count != count { problem("reward returned \(rewards.count) scores for \(count) answers") }
                    if let bad = rewards.first(where: { !$0.score.isFinite || !(0...1).contains($0.score) }) {
                        problem("reward returned \(bad.score), outside [0, 1]")
                    }
                }
            }
            if d.rewardMode == .verification, answers.count >= 2 {
                let single = ScoringRound(request: first, answers: [answers[0]], isOrganic: true, timeout: d.timeout, random: OrganicRandom(seed: 1))
                if case .inconclusive(let why) = await endpoint.reward(single) {
                    problem("a verification reward must judge a single honest answer, but said inconclusive: \(why)")
                }
            }
        }
        return problems
    }

    /// The caller's request mapped to the miner's and perturbed, from a seeded random source.
    static func minerRequest<E: Endpoint>(_ endpoint: E, for request: E.Request, seed: UInt64) -> E.MinerRequest {
        var context = PerturbationContext(random: OrganicRandom(seed: seed), seeds: .unassigned)
        var mapped = endpoint.minerRequest(for: request, context: &context)
        endpoint.perturb(&mapped, context: &context)
        return mapped
    }

    /// Checks what a caller would receive from `answer`: the caller's response, the caller's
    /// chunks for a stream, and usage within the reserved maximum for the whole answer and for
    /// every prefix of a stream.
    static func checkDelivery<E: Endpoint>(_ endpoint: E, answer: MinerOutput<E>, request: E.MinerRequest, caller: E.Request,
                                           label: String) -> [String] {
        let d = endpoint.descriptor
        var problems: [String] = []
        func problem(_ text: String) { problems.append("\(d.name): \(label): \(text)") }
        do {
            let delivered = try endpoint.responseForCaller(answer.response, to: request, caller: caller)
            if let issue = roundTrip(delivered) { problem("caller's response: \(issue)") }
            // Forwarding hands callers the miner's bytes: only sound when the mapping changes nothing.
            if endpoint.forwardsMinerAnswer {
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                if E.Response.self != E.MinerResponse.self {
                    problem("forwardsMinerAnswer is declared but Response is not MinerResponse (the node ignores it)")
                } else if (try? encoder.encode(delivered)) != (try? encoder.encode(answer.response)) {
                    problem("forwardsMinerAnswer is declared but responseForCaller changes the answer")
                }
            }
        } catch {
            // A refusal (such as NSFW) is a legitimate answer for the caller.
            if endpoint.forwardsMinerAnswer { problem("forwardsMinerAnswer is declared but responseForCaller refused an answer: \(error)") }
        }
        let maximum = endpoint.maximumUsage(of: caller)
        func exceeds(_ usage: Usage) -> String? {
            for (unit, quantity) in usage.units where d.unitPrices[unit, default: 0] > 0 && quantity > maximum[unit] {
                return "\(unit) \(quantity) exceeds the reserved maximum \(maximum[unit])"
            }
            return nil
        }
        if let issue = exceeds(endpoint.usage(of: answer.response, for: request, caller: caller)) { problem("usage: \(issue)") }
        guard let chunks = answer.chunks else { return problems }
        let edits = endpoint.callerChunkEdits(for: request, caller: caller)
        if let edits, !edits.ignoredPaths.isEmpty {
            problem("callerChunkEdits has paths that do not end in a member name: \(edits.ignoredPaths.map(\.description))")
        }
        for (index, chunk) in chunks.enumerated() {
            if let issue = roundTrip(chunk) { problem("stream chunk \(index): \(issue)") }
            let relayed = endpoint.callerChunk(chunk, index: index, for: request, caller: caller)
            if let relayed, let issue = roundTrip(relayed) {
                problem("caller chunk \(index): \(issue)")
            }
            if let edits, let issue = checkEdits(edits, chunk: chunk, relayed: relayed) {
                problem("callerChunkEdits, chunk \(index): \(issue)")
            }
        }
        for length in 0...chunks.count {
            do {
                let prefix = try endpoint.assemble(Array(chunks.prefix(length)), for: request)
                if let issue = exceeds(endpoint.usage(of: prefix, for: request, caller: caller)) {
                    problem("usage of the first \(length) chunks: \(issue)")
                }
            } catch {
                if length > 0 { problem("the first \(length) chunks do not assemble (a caller who leaves early is charged from them): \(error.message)") }
            }
        }
        for event in endpoint.closingChunks(answer.response, for: request, caller: caller) {
            if let issue = roundTrip(event) { problem("closing chunk: \(issue)") }
        }
        return problems
    }

    /// Whether the miner's chunk, as the node writes it, with `edits` spliced in is the JSON value
    /// ``Endpoint/callerChunk(_:index:for:caller:)``'s chunk encodes to, member for member (the node
    /// sends the edited text instead, so a member the edits let through would reach callers).
    static func checkEdits<Chunk: Encodable, CallerChunk: Encodable>(_ edits: JSONEdits, chunk: Chunk, relayed: CallerChunk?) -> String? {
        guard let relayed else { return "the edits are declared, but callerChunk skips this chunk (edits cannot skip one)" }
        do {
            let text = try TypedJSONEncoder<Chunk>().encode(chunk)
            var edited: [UInt8] = []
            edits.apply(to: text, tape: try JSONTape.parse(text), into: &edited)
            guard (try? JSONTape.parse(edited)) != nil else { return "the edited text is not JSON: \(String(decoding: edited, as: UTF8.self))" }
            let expected = try TypedJSONEncoder<CallerChunk>().encode(relayed)
            let editedValue = try JSONSerialization.jsonObject(with: Data(edited), options: .fragmentsAllowed) as? NSObject
            let expectedValue = try JSONSerialization.jsonObject(with: Data(expected), options: .fragmentsAllowed)
            guard let editedValue, editedValue.isEqual(expectedValue) else {
                return "the edited text \(String(decoding: edited, as: UTF8.self)) differs from callerChunk's \(String(decoding: expected, as: UTF8.self))"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// A reference miner's answer: assembled from its stream when the endpoint streams.
    struct MinerOutput<E: Endpoint> {
        var response: E.MinerResponse
        var chunks: [E.MinerChunk]?
    }

    enum Outcome<R> { case success(R), failure(String) }

    static func respond<H: MinerHandler, E: Endpoint>(_ handler: H, to request: E.MinerRequest, as: E.Type, wrongly: Bool) async -> Outcome<MinerOutput<E>> {
        guard let typed = request as? H.Served.MinerRequest else { return .failure("miner handler serves another request type") }
        let context = MinerContext(answerWrongly: wrongly, random: OrganicRandom(seed: 7))
        do {
            if handler.endpoint.descriptor.streaming != nil, handler.wantsStream(typed) {
                var chunks: [H.Served.MinerChunk] = []
                for try await chunk in handler.stream(typed, context: context) { chunks.append(chunk) }
                let assembled = try handler.endpoint.assemble(chunks, for: typed)
                guard let response = assembled as? E.MinerResponse, let mine = chunks as? [E.MinerChunk] else {
                    return .failure("miner handler streams another chunk type")
                }
                return .success(MinerOutput(response: response, chunks: mine))
            }
            let response = try await handler.respond(to: typed, context: context)
            guard let result = response as? E.MinerResponse else { return .failure("miner handler returns another response type") }
            return .success(MinerOutput(response: result, chunks: nil))
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
            return data == again ? ownCodingIssue(value) : "JSON round trip changed the value"
        } catch {
            return "JSON round trip failed: \(error)"
        }
    }

    /// For a type that reads or writes itself (`JSONReadable`, `JSONWritable`): its writer must
    /// write what its `Encodable` conformance writes, byte for byte, and its reader must accept and
    /// refuse what `Decodable` does, with the same result, on the value's document and on edited
    /// copies of it (each member removed, null, or of another kind).
    static func ownCodingIssue<T: Codable>(_ value: T) -> String? {
        let readable = T.self is any JSONReadable.Type
        guard readable || T.self is any JSONWritable.Type else { return nil }
        let codable = DirectJSONEncoder()
        do {
            let document = try codable.encode(value)
            var own: [UInt8] = []
            try TypedJSONEncoder<T>().encode(value, into: &own)
            if own != document {
                return "JSONWritable writes \(String(decoding: own, as: UTF8.self)) where Encodable writes \(String(decoding: document, as: UTF8.self))"
            }
            guard readable else { return nil }
            let reader = TypedJSONDecoder<T>()
            // Results compare with sorted keys: equal dictionaries may list theirs in different orders.
            let sorted = JSONEncoder.sorted
            func text(_ value: T) throws -> [UInt8] { Array(try sorted.encode(value)) }
            for variant in [document] + JSONDocumentVariants.of(document) {
                let shown = String(decoding: variant, as: UTF8.self)
                let expected = try? text(try TapeJSONDecoder().decode(T.self, from: variant))
                let read: [UInt8]?
                do {
                    read = try text(try reader.decode(variant))
                } catch {
                    if let expected { return "JSONReadable refuses \(shown), which Decodable reads as \(String(decoding: expected, as: UTF8.self)): \(error)" }
                    continue
                }
                guard let expected else { return "JSONReadable reads \(shown), which Decodable refuses" }
                if read != expected {
                    return "JSONReadable reads \(shown) as \(String(decoding: read ?? [], as: UTF8.self)) where Decodable reads \(String(decoding: expected, as: UTF8.self))"
                }
            }
            return nil
        } catch {
            return "own JSON coding failed: \(error)"
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
