import ArgumentParser

/// `organic-bench`: performance measurements on loopback. Build with `-c release`; debug
/// builds are several times slower and say nothing about production speed.
@main
struct OrganicBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organic-bench",
        abstract: "Measure Organic's throughput and latency on loopback (build with -c release).",
        subcommands: [EndToEndBenchmark.self, StreamBenchmark.self, KeysBenchmarkCommand.self, SchedulerBenchmark.self, OverloadBenchmark.self, SoakBenchmark.self,
                      VisionBenchmark.self, ScoringBenchmark.self, ScoringSimulationBenchmark.self, CryptoBenchmark.self, JSONBenchmark.self,
                      MetricsBenchmark.self, ScaleBenchmark.self, ForwarderFloor.self, StreamNodeCommand.self],
        defaultSubcommand: EndToEndBenchmark.self)
}
