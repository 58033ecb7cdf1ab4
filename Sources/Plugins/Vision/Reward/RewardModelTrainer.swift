package import OrganicPluginAPI

/// Fits ``HashRewardModel`` by batch gradient descent on the log loss with a little L2, and
/// measures it on a held-out split.
package enum RewardModelTrainer {
    package struct Evaluation: Sendable, Hashable, Codable {
        package var samples: Int
        package var precision: Double
        package var recall: Double
        package var accuracy: Double
        /// Share of pairs the model is unsure about (0.1 < P < 0.9), which fall back to CLIP.
        package var unsure: Double
    }

    package struct Result: Sendable, Hashable, Codable {
        package var model: HashRewardModel
        package var training: Evaluation
        package var heldOut: Evaluation
    }

    /// Splits `samples` at random (`heldOutFraction` held out), trains and evaluates.
    package static func trainAndEvaluate(_ samples: [RewardDataset.Sample], heldOutFraction: Double = 0.25,
                                        random: inout OrganicRandom, iterations: Int = 3000) -> Result {
        let shuffled = samples.shuffled(using: &random)
        let cut = Int(Double(shuffled.count) * (1 - min(max(heldOutFraction, 0), 0.9)))
        let train = Array(shuffled[..<cut]), test = Array(shuffled[cut...])
        let model = fit(train, iterations: iterations)
        return Result(model: model, training: evaluate(model, on: train), heldOut: evaluate(model, on: test))
    }

    package static func fit(_ samples: [RewardDataset.Sample], iterations: Int = 3000, learningRate: Double = 4,
                           l2: Double = 1e-4) -> HashRewardModel {
        var model = HashRewardModel(weights: [0, 0, 0, 0], bias: 0)
        guard !samples.isEmpty else { return model }
        let n = Double(samples.count)
        for _ in 0..<max(iterations, 1) {
            var gw = [0.0, 0.0, 0.0, 0.0], gb = 0.0
            for s in samples {
                let error = model.probabilitySame(s.features) - Double(s.label)
                let x = s.features.vector
                for k in 0..<4 { gw[k] += error * x[k] }
                gb += error
            }
            for k in 0..<4 { model.weights[k] -= learningRate * (gw[k] / n + l2 * model.weights[k]) }
            model.bias -= learningRate * gb / n
        }
        return model
    }

    /// Precision and recall of "same" at P >= 0.5.
    package static func evaluate(_ model: HashRewardModel, on samples: [RewardDataset.Sample]) -> Evaluation {
        var tp = 0, fp = 0, fn = 0, correct = 0, unsure = 0
        for s in samples {
            let p = model.probabilitySame(s.features)
            let predicted = p >= 0.5 ? 1 : 0
            if predicted == 1 && s.label == 1 { tp += 1 }
            if predicted == 1 && s.label == 0 { fp += 1 }
            if predicted == 0 && s.label == 1 { fn += 1 }
            if predicted == s.label { correct += 1 }
            if p > HashRewardModel.differentThreshold && p < HashRewardModel.sameThreshold { unsure += 1 }
        }
        let n = Double(max(samples.count, 1))
        return Evaluation(samples: samples.count, precision: tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp),
                          recall: tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn), accuracy: Double(correct) / n,
                          unsure: Double(unsure) / n)
    }
}
