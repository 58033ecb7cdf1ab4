import ArgumentParser
import Foundation
import OrganicPluginAPI
import VisionPlugin

/// `organic vision`: the vision plugin's reward-model tools.
struct VisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vision", abstract: "Vision reward model: generate its training data and train it.",
        subcommands: [VisionRewardDatasetCommand.self, VisionTrainRewardCommand.self])
}

/// `organic vision reward-dataset --count N --output FILE`.
struct VisionRewardDatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward-dataset",
        abstract: "Write labelled hash-distance pairs made with the reference miner (CSV).",
        discussion: "Half the pairs are the same parameters with hardware-like noise (and JPEG re-encoding), half use another seed or prompt.")

    @Option(help: "Pairs to generate.") var count = 2000
    @Option(help: "Random seed.") var seed: UInt64 = 19
    @Option(help: "Output CSV file; - for standard output.") var output = "-"

    func run() throws {
        var random = OrganicRandom(seed: seed)
        let samples = try RewardDataset.generate(count: count, random: &random)
        let text = ([RewardDataset.csvHeader] + samples.map(RewardDataset.csvLine)).joined(separator: "\n") + "\n"
        if output == "-" { print(text, terminator: "") } else { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) }
    }
}

/// `organic vision train-reward --dataset FILE`.
struct VisionTrainRewardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-reward",
        abstract: "Train the hash reward model (logistic regression) and report precision/recall on a held-out split.")

    @Option(help: "CSV written by `organic vision reward-dataset`.") var dataset: String
    @Option(help: "Fraction held out for evaluation.") var heldOut = 0.25
    @Option(help: "Random seed of the split.") var seed: UInt64 = 7

    func run() throws {
        let samples = RewardDataset.parseCSV(try String(contentsOfFile: dataset, encoding: .utf8))
        guard samples.count >= 10 else { throw ValidationError("the dataset has \(samples.count) usable rows; need at least 10") }
        var random = OrganicRandom(seed: seed)
        let result = RewardModelTrainer.trainAndEvaluate(samples, heldOutFraction: heldOut, random: &random)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
        let w = result.model.weights.map { String(format: "%.4f", $0) }.joined(separator: ", ")
        print("Swift: HashRewardModel(weights: [\(w)], bias: \(String(format: "%.4f", result.model.bias)))")
    }
}
