import ArgumentParser
import Foundation
import OrganicPluginAPI
import VisionPlugin

/// `organic synth`: synthetic requests as the validator would send them.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth", abstract: "Print synthetic requests as JSON lines.", subcommands: [SynthVisionCommand.self])
}

/// `organic synth vision --endpoint E --count N`.
struct SynthVisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vision",
        abstract: "Print synthetic vision requests, perturbed as miners receive them, one JSON object per line.")

    @Option(help: "Endpoint: text-to-image, image-to-image, inpaint, upscale, scribble or clip-embeddings.") var endpoint: String
    @Option(help: "How many requests.") var count = 1
    @Option(help: "Random seed; omit for fresh randomness.") var seed: UInt64?
    @Option(help: "Validator uid whose seed block is used.") var validatorUid: UInt16?
    @Flag(help: "Print requests before perturbation (no validator seed, no jitter).") var raw = false

    func run() throws {
        guard count >= 0 else { throw ValidationError("--count must be >= 0") }
        let plugin = try VisionPlugin()
        guard let chosen = plugin.endpoints.first(where: { $0.descriptor.name == endpoint }) else {
            throw ValidationError("unknown endpoint '\(endpoint)'; one of: \(plugin.endpoints.map(\.descriptor.name).joined(separator: ", "))")
        }
        var random = seed.map(OrganicRandom.init(seed:)) ?? OrganicRandom()
        let seeds = validatorUid.map(SeedRange.init(validatorUID:)) ?? .unassigned
        for _ in 0..<count {
            print(try Self.line(chosen, random: &random, seeds: seeds, perturb: !raw))
        }
    }

    static func line<E: Endpoint>(_ endpoint: E, random: inout OrganicRandom, seeds: SeedRange, perturb: Bool) throws -> String {
        var synthetic = SyntheticContext(random: random.split())
        guard let request = endpoint.makeSyntheticRequest(context: &synthetic) else {
            throw ValidationError("the endpoint '\(endpoint.descriptor.name)' has no synthetic generator")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard perturb else { return String(decoding: try encoder.encode(request), as: UTF8.self) }
        // What a miner would receive: the caller's shape mapped and perturbed.
        var context = PerturbationContext(random: synthetic.random, seeds: seeds)
        var minerRequest = endpoint.minerRequest(for: request, context: &context)
        endpoint.perturb(&minerRequest, context: &context)
        return String(decoding: try encoder.encode(minerRequest), as: UTF8.self)
    }
}
