package import OrganicPluginAPI
package import PromptCorpus
import Synchronization

/// Input pictures for synthetic image-to-image, inpaint, scribble and upscale requests.
///
/// Holds small copies of earlier synthetic outputs that miners agreed on; picks are random, so
/// miners cannot predict which picture comes next. While the pool is empty (and now and then
/// afterwards) a fresh procedural picture is drawn instead, which plays the part of the bundled
/// seed images without shipping binaries. Given the same pool contents, the same random source
/// gives the same picks.
package final class SyntheticImagePool: Sendable {
    package let capacity: Int
    package let side: Int
    private let images = Mutex<[RGBImage]>([])

    package init(capacity: Int = 32, side: Int) {
        self.capacity = max(capacity, 1)
        self.side = max(side, 8)
    }

    package var count: Int { images.withLock { $0.count } }

    /// A picture of `side` x `side` pixels: a pooled output, or a procedural seed picture.
    package func pick(using random: inout OrganicRandom, prompts: CaptionMarkovChain) -> RGBImage {
        let roll = Int.random(in: 0..<4, using: &random)
        let index = Int.random(in: 0..<capacity, using: &random)
        if roll != 0, let pooled = images.withLock({ $0.isEmpty ? nil : $0[index % $0.count] }) {
            return pooled
        }
        let words = prompts.sentence(using: &random, maxWords: 8).joined(separator: " ")
        return ProceduralImageGenerator().render(
            prompt: words, negativePrompt: "", seed: random.next(), steps: 10, cfgScale: 4, width: side, height: side)
    }

    /// Adds an agreed synthetic output (shrunk to `side` x `side`), replacing an older one when full.
    package func add(_ image: RGBImage) {
        guard image.isWellFormed, image.width > 0, image.height > 0 else { return }
        let small = ImageResampler.resize(image, width: side, height: side)
        let slot = Int(ImagingHash.hash(small.pixels.prefix(256)) % UInt64(capacity))
        images.withLock { pool in
            if pool.count < capacity { pool.append(small) } else { pool[slot] = small }
        }
    }
}
