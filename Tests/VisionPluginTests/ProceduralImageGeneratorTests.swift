import Testing
@testable import VisionPlugin

@Suite("Procedural image generator")
struct ProceduralImageGeneratorTests {
    let generator = ProceduralImageGenerator()

    func render(_ prompt: String = "a lighthouse on a cliff at sunset", seed: UInt64 = 1234, steps: Int = 30,
                cfg: Double = 7.5, negative: String = "", width: Int = 128, height: Int = 128) -> RGBImage {
        generator.render(
            prompt: prompt, negativePrompt: negative, seed: seed, steps: steps, cfgScale: cfg, width: width,
            height: height)
    }

    static func fingerprint(_ image: RGBImage) -> UInt64 {
        var hash = ImagingHash()
        hash.combine(image.width)
        hash.combine(image.height)
        hash.combine(bytes: image.pixels)
        return hash.finalize()
    }

    @Test("same inputs give byte-identical output")
    func deterministic() {
        let a = render()
        let b = render()
        #expect(a == b)
        #expect(a.width == 128 && a.height == 128 && a.isWellFormed)
    }

    /// Pins the exact output. If this fails, generated images changed for
    /// every miner and validator: only acceptable together with a bump of
    /// `ProceduralScene.versionTag` and a protocol version change.
    @Test("output is pinned across machines and releases")
    func golden() {
        let image = render(width: 96, height: 64)
        #expect(Self.fingerprint(image) == 9_457_025_441_138_198_871)
    }

    @Test("different seeds give clearly different pictures")
    func seedsDiffer() {
        var distances: [Int] = []
        for seed: UInt64 in 1...8 {
            let a = render(seed: seed)
            let b = render(seed: seed + 1000)
            #expect(TestImageMetrics.meanAbsoluteDifference(a, b) > 12)
            distances.append(
                TestImageMetrics.hamming(TestImageMetrics.differenceHash(a), TestImageMetrics.differenceHash(b)))
        }
        // A perceptual hash must separate them by a wide margin on average.
        let mean = Double(distances.reduce(0, +)) / Double(distances.count)
        #expect(mean >= 16, "dHash distances \(distances)")
        #expect(distances.min() ?? 0 >= 8, "dHash distances \(distances)")
    }

    @Test("different prompts give different pictures")
    func promptsDiffer() {
        let a = render("a red fox in the snow")
        let b = render("a blue whale in the ocean")
        #expect(TestImageMetrics.meanAbsoluteDifference(a, b) > 12)
    }

    @Test("prompt casing and punctuation do not matter; negative words remove content")
    func promptNormalisation() {
        #expect(render("A Red Fox!") == render("a red fox"))
        #expect(render("a red fox", negative: "fox") != render("a red fox"))
    }

    @Test("steps and cfg scale change the picture")
    func parametersMatter() {
        #expect(render(steps: 10) != render(steps: 80))
        #expect(render(cfg: 3) != render(cfg: 12))
    }

    @Test("output looks like a picture, not noise: neighbouring pixels are similar")
    func smooth() {
        let image = render(width: 256, height: 256)
        var total = 0
        var count = 0
        for y in 0..<256 {
            for x in 0..<255 {
                let i = (y * 256 + x) * 3
                for c in 0..<3 { total += abs(Int(image.pixels[i + c]) - Int(image.pixels[i + 3 + c])) }
                count += 3
            }
        }
        #expect(Double(total) / Double(count) < 3)
        // ...but not flat either: plenty of distinct colours.
        var levels = Set<UInt8>()
        for i in stride(from: 0, to: image.pixels.count, by: 3) { levels.insert(image.pixels[i]) }
        #expect(levels.count > 60)
    }

    @Test("composition is resolution independent")
    func resolutionIndependent() {
        let small = render(width: 64, height: 64)
        let large = render(width: 256, height: 256).resized(width: 64, height: 64)
        #expect(TestImageMetrics.meanAbsoluteDifference(small, large) < 8)
    }

    @Test("hostile parameters do not crash")
    func hostileParameters() {
        #expect(render(cfg: .nan).isWellFormed)
        #expect(render(cfg: .infinity).isWellFormed)
        #expect(render(cfg: -1e300).isWellFormed)
        #expect(render(steps: Int.min).isWellFormed)
        #expect(render(steps: Int.max).isWellFormed)
        #expect(render("", seed: .max).isWellFormed)
        let empty = render(width: 0, height: -5)
        #expect(empty.pixels.isEmpty && empty.width == 0 && empty.height == 0)
        #expect(render(width: 1, height: 1).pixels.count == 3)
        #expect(render(width: 300, height: 7).isWellFormed)
        #expect(render(String(repeating: "🦊 émoji ", count: 50)).isWellFormed)
    }

    @Test("transform: strength 0 keeps the input, 1 gives the pattern, 0.5 lies between")
    func transform() {
        let initImage = render("grey stones", seed: 9)
        let none = generator.transform(initImage, prompt: "golden flowers", seed: 5, strength: 0)
        let full = generator.transform(initImage, prompt: "golden flowers", seed: 5, strength: 1)
        let half = generator.transform(initImage, prompt: "golden flowers", seed: 5, strength: 0.5)
        let pattern = generator.render(
            prompt: "golden flowers", negativePrompt: "", seed: 5, steps: 20, cfgScale: 7, width: 128, height: 128)
        #expect(none == initImage)
        #expect(full == pattern)
        let toInit = TestImageMetrics.meanAbsoluteDifference(half, initImage)
        let toPattern = TestImageMetrics.meanAbsoluteDifference(half, pattern)
        let between = TestImageMetrics.meanAbsoluteDifference(initImage, pattern)
        #expect(toInit > 0 && toPattern > 0)
        #expect(abs(toInit - toPattern) < between * 0.2)
        #expect(generator.transform(initImage, prompt: "x", seed: 1, strength: .nan) == initImage)
        #expect(generator.transform(initImage, prompt: "golden flowers", seed: 5, strength: 0.5) == half)
        let malformed = RGBImage(width: 10, height: 10, pixels: [1, 2])
        #expect(generator.transform(malformed, prompt: "x", seed: 1, strength: 0.5) == malformed)
    }

    @Test("hardware noise: few pixels, small deltas, deterministic per noise seed")
    func hardwareNoise() {
        let clean = render(width: 128, height: 128)
        var a = clean
        var b = clean
        var c = clean
        ProceduralImageGenerator.addHardwareNoise(&a, noiseSeed: 1)
        ProceduralImageGenerator.addHardwareNoise(&b, noiseSeed: 1)
        ProceduralImageGenerator.addHardwareNoise(&c, noiseSeed: 2)
        #expect(a == b)
        #expect(a != c)
        #expect(a != clean)

        var changedPixels = 0
        var maxDelta = 0
        for p in 0..<(128 * 128) {
            var changed = false
            for ch in 0..<3 {
                let d = abs(Int(a.pixels[p * 3 + ch]) - Int(clean.pixels[p * 3 + ch]))
                maxDelta = max(maxDelta, d)
                if d > 0 { changed = true }
            }
            if changed { changedPixels += 1 }
        }
        let fraction = Double(changedPixels) / Double(128 * 128)
        #expect(fraction > 0.05 && fraction < 0.2, "changed fraction \(fraction)")
        #expect(maxDelta <= 2)

        // Perceptually the same image; a different seed is not.
        let noisyDistance = TestImageMetrics.hamming(
            TestImageMetrics.differenceHash(a), TestImageMetrics.differenceHash(clean))
        #expect(noisyDistance <= 2)
        #expect(TestImageMetrics.meanAbsoluteDifference(a, clean) < 0.3)

        var untouched = clean
        ProceduralImageGenerator.addHardwareNoise(&untouched, noiseSeed: 1, amplitude: 0)
        #expect(untouched == clean)
    }
}
