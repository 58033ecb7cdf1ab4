package import OrganicPluginAPI
package import PromptCorpus

/// Labelled pairs for training the hash reward model, made with the reference generator.
///
/// Positives (label 1): the same parameters rendered on two "machines" (different hardware-noise
/// seeds), half of them with one image also re-encoded as JPEG (quality 85–95) and decoded again.
/// Negatives (label 0): the same prompt with another seed, or the same seed with another prompt.
package enum RewardDataset {
    package struct Sample: Sendable, Hashable {
        package var label: Int
        package var features: HashDistanceFeatures
        /// `noise`, `noise+jpeg`, `other-seed` or `other-prompt`.
        package var kind: String
    }

    package static let csvHeader = "label,average,perceptual,difference,color,kind"

    /// `prompts` defaults to the bundled chain (an error when its corpus cannot be loaded).
    package static func generate(count: Int, random: inout OrganicRandom, prompts: CaptionMarkovChain? = nil,
                                sizes: [Int] = [512, 576, 640, 768]) throws -> [Sample] {
        let prompts = try prompts ?? CaptionMarkovChain.bundled()
        let generator = ProceduralImageGenerator()
        let hashing = ImagehashCompatibleHashing()
        var samples: [Sample] = []
        for i in 0..<max(count, 0) {
            let prompt = prompts.prompt(using: &random, maxWords: 20, maxLength: 76)
            let seed = UInt64.random(in: 0..<10_000_000, using: &random)
            let steps = Int.random(in: 6...50, using: &random)
            let cfg = Double(Int.random(in: 10...100, using: &random)) / 10
            let w = sizes.randomElement(using: &random) ?? 512
            let h = sizes.randomElement(using: &random) ?? 512
            func render(_ p: String, _ s: UInt64) -> RGBImage {
                generator.render(prompt: p, negativePrompt: "", seed: s, steps: steps, cfgScale: cfg, width: w, height: h)
            }
            var a = render(prompt, seed)
            ProceduralImageGenerator.addHardwareNoise(&a, noiseSeed: random.next())
            var b: RGBImage
            let kind: String
            switch i % 4 {
            case 0, 1:
                b = render(prompt, seed)
                ProceduralImageGenerator.addHardwareNoise(&b, noiseSeed: random.next())
                if i % 4 == 1, let jpeg = try? ImageCodec.encodeJPEG(b, quality: Int.random(in: 85...95, using: &random)),
                   let decoded = try? ImageCodec.decode(jpeg) {
                    b = decoded
                    kind = "noise+jpeg"
                } else {
                    kind = "noise"
                }
            case 2:
                b = render(prompt, seed &+ UInt64.random(in: 1...100_000, using: &random))
                ProceduralImageGenerator.addHardwareNoise(&b, noiseSeed: random.next())
                kind = "other-seed"
            default:
                b = render(prompts.prompt(using: &random, maxWords: 20, maxLength: 76), seed)
                ProceduralImageGenerator.addHardwareNoise(&b, noiseSeed: random.next())
                kind = "other-prompt"
            }
            guard let features = HashDistanceFeatures(hashing.hashes(of: a), hashing.hashes(of: b)) else { continue }
            samples.append(Sample(label: i % 4 < 2 ? 1 : 0, features: features, kind: kind))
        }
        return samples
    }

    package static func csvLine(_ s: Sample) -> String {
        let f = s.features
        return "\(s.label),\(f.average),\(f.perceptual),\(f.difference),\(f.color),\(s.kind)"
    }

    /// Parses lines written by ``csvLine(_:)``; the header and malformed lines are skipped.
    package static func parseCSV(_ text: String) -> [Sample] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count >= 5, let label = Int(parts[0]), let a = Double(parts[1]), let p = Double(parts[2]),
                  let d = Double(parts[3]), let c = Double(parts[4])
            else { return nil }
            return Sample(label: label, features: HashDistanceFeatures(average: a, perceptual: p, difference: d, color: c),
                          kind: parts.count > 5 ? String(parts[5]) : "")
        }
    }
}
