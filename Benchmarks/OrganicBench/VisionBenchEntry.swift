import ArgumentParser

// Entry point until this branch is merged with the lead's benchmark command: then delete this
// file and add `VisionBenchmark.self` to `OrganicBench`'s subcommands.
@main
struct VisionBenchEntry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organic-bench", subcommands: [VisionBenchmark.self], defaultSubcommand: VisionBenchmark.self)
}
