import ArgumentParser

// Entry point until this branch is merged with the end-to-end benchmark: then delete this file
// and add `ScoringBenchmark.self` to `OrganicBench`'s subcommands.
@main
struct ScoringBenchEntry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organic-bench", subcommands: [ScoringBenchmark.self], defaultSubcommand: ScoringBenchmark.self)
}
