/// Resolution-independent description of a generated picture, derived
/// deterministically from the generation parameters.
///
/// Separating "what to draw" from rasterisation keeps the mapping from
/// prompt/seed to content readable: prompt words choose shape kinds and
/// hues, the seed chooses layout and variations, steps add detail, cfg scale
/// drives saturation and contrast. Positions are Q16 fractions of the image
/// width/height and sizes Q16 fractions of the shorter side, so the same
/// parameters at different sizes give the same composition.
struct ProceduralScene: Sendable, Equatable {
    struct Color: Sendable, Equatable {
        var r: Int
        var g: Int
        var b: Int
    }

    enum ShapeKind: Sendable, Equatable {
        /// Filled, shaded (rotated) ellipse.
        case disc
        /// Outline of a rotated ellipse.
        case ring
        /// Soft, wavy stripe crossing the whole picture.
        case band
        /// Metaball cluster of circles that merge organically.
        case blob
    }

    struct Satellite: Sendable, Equatable {
        /// Offsets and radius, Q16 fractions of the shorter side.
        var dx: Int
        var dy: Int
        var radius: Int
    }

    struct Shape: Sendable, Equatable {
        var kind: ShapeKind
        var centerX: Int
        var centerY: Int
        var radiusX: Int
        var radiusY: Int
        /// Rotation in 1/256ths of a turn.
        var angle: Int
        var color: Color
        /// Colour at the shape's core (gives a lit, rounded look).
        var highlight: Color
        /// 0...256.
        var opacity: Int
        /// Q16 in 0..<65536: fraction of the shape that is fully opaque
        /// (rest is a soft edge); for rings, the ring half-width instead.
        var softness: Int
        /// Band waviness: amplitude (Q16 of shorter side), wavelength (Q16
        /// of shorter side) and phase (1/256 turn).
        var waveAmplitude: Int = 0
        var waveLength: Int = 65536
        var wavePhase: Int = 0
        var satellites: [Satellite] = []
    }

    /// Background gradient corners: top-left, top-right, bottom-left, bottom-right.
    var corners: [Color]
    /// Low-frequency value-noise ("clouds") grid size and its (cells+1)² values.
    var cloudCells: Int
    var cloudValues: [Int]
    /// Per-channel weight (0...256) of the cloud layer, to tint it.
    var cloudTint: Color
    var shapes: [Shape]
    /// Corner darkening strength, 0...128.
    var vignette: Int
    /// Contrast around mid-grey, Q8 (256 = unchanged).
    var contrast: Int

    /// Version tag mixed into every seed; bump to intentionally change all outputs.
    static let versionTag = "organic.vision.procedural.v1"

    init(prompt: String, negativePrompt: String, seed: UInt64, steps: Int, cfgScale: Double) {
        let words = PromptWords.words(in: prompt, excluding: negativePrompt)
        let negativeWords = PromptWords.words(in: negativePrompt)
        let cfg = ImagingFixedPoint.quantize(cfgScale, scale: 100, range: 0...100_000)
        let clampedSteps = min(10_000, max(0, steps))

        var master = ImagingHash()
        master.combine(string: Self.versionTag)
        master.combine(words.count)
        for word in words {
            master.combine(bytes: word)
            master.combine(byte: 0xFF)
        }
        master.combine(negativeWords.count)
        for word in negativeWords {
            master.combine(bytes: word)
            master.combine(byte: 0xFF)
        }
        master.combine(seed)
        master.combine(clampedSteps)
        master.combine(cfg)
        var rng = ImagingRandom(seed: master.finalize())

        // Prompt decides the palette family; the seed nudges it.
        var promptHash = ImagingHash()
        for word in words { promptHash.combine(bytes: word) }
        let promptHue = Int(promptHash.finalize() % 1536)
        let baseHue = promptHue + rng.next(in: -160...160)

        // Higher guidance -> punchier colours, like real diffusion models.
        let cfgCapped = min(cfg, 2000)
        let saturation = 95 + cfgCapped * 125 / 2000
        contrast = 220 + cfgCapped * 70 / 2000

        // Background: a lit side and a dark side.
        let topIsLight = rng.next(below: 2) == 0
        var corners: [Color] = []
        for index in 0..<4 {
            let isTop = index < 2
            let light = isTop == topIsLight
            let hue = baseHue + rng.next(in: -260...260)
            let sat = saturation * rng.next(in: 120...256) / 256
            let value = light ? rng.next(in: 150...235) : rng.next(in: 35...120)
            let c = ImagingFixedPoint.hsv(hue: hue, saturation: sat, value: value)
            corners.append(Color(r: c.r, g: c.g, b: c.b))
        }
        self.corners = corners

        cloudCells = rng.next(in: 2...6)
        let cloudCount = (cloudCells + 1) * (cloudCells + 1)
        var cloudValues: [Int] = []
        cloudValues.reserveCapacity(cloudCount)
        for _ in 0..<cloudCount { cloudValues.append(rng.next(in: -40...40)) }
        self.cloudValues = cloudValues
        cloudTint = Color(r: rng.next(in: 150...256), g: rng.next(in: 150...256), b: rng.next(in: 150...256))

        // One shape per prompt word (up to 8), then seed-only detail shapes
        // whose count grows with steps.
        var shapes: [Shape] = []
        var bands = 0
        for word in words.prefix(8) {
            let wordHash = ImagingHash.hash(word)
            let hue = Int(wordHash % 1536) + rng.next(in: -64...64)
            var kind = Self.kind(from: Int((wordHash >> 16) % 20))
            if kind == .band {
                if bands >= 2 { kind = .disc } else { bands += 1 }
            }
            shapes.append(Self.makeShape(kind: kind, hue: hue, saturation: saturation, rng: &rng))
        }
        let extra = (words.isEmpty ? 3 : 1) + min(clampedSteps, 100) / 25
        for _ in 0..<extra {
            let hue = baseHue + rng.next(in: -400...400)
            var kind = Self.kind(from: rng.next(below: 20))
            if kind == .band {
                if bands >= 2 { kind = .blob } else { bands += 1 }
            }
            shapes.append(Self.makeShape(kind: kind, hue: hue, saturation: saturation, rng: &rng))
        }
        // Big, wide shapes first so smaller ones sit on top of them.
        self.shapes = Self.paintersOrder(shapes)

        vignette = rng.next(in: 30...100)
    }

    /// 40% disc, 25% blob, 20% band, 15% ring.
    static func kind(from bucket: Int) -> ShapeKind {
        switch bucket {
        case 0..<8: .disc
        case 8..<13: .blob
        case 13..<17: .band
        default: .ring
        }
    }

    static func paintersOrder(_ shapes: [Shape]) -> [Shape] {
        // Stable: sort keys are unique (area, then original index).
        let keyed = shapes.enumerated().map { index, shape -> (Int, Int, Shape) in
            let area = shape.kind == .band ? Int.max : shape.radiusX * shape.radiusY
            return (area, index, shape)
        }
        return keyed.sorted { lhs, rhs in
            lhs.0 != rhs.0 ? lhs.0 > rhs.0 : lhs.1 < rhs.1
        }.map { $0.2 }
    }

    static func makeShape(kind: ShapeKind, hue: Int, saturation: Int, rng: inout ImagingRandom) -> Shape {
        let sat = min(255, saturation * rng.next(in: 180...300) / 256)
        let value = rng.next(in: 110...245)
        let base = ImagingFixedPoint.hsv(hue: hue, saturation: sat, value: value)
        let lit = ImagingFixedPoint.hsv(hue: hue + rng.next(in: -40...40), saturation: sat / 2, value: min(255, value + 60))
        let color = Color(r: base.r, g: base.g, b: base.b)
        let highlight = Color(r: lit.r, g: lit.g, b: lit.b)

        let centerX = rng.next(in: 6000...59_536)
        let centerY = rng.next(in: 6000...59_536)
        let angle = rng.next(below: 256)
        let opacity = rng.next(in: 170...240)

        switch kind {
        case .disc, .ring:
            let radiusX = rng.next(in: 5500...24_000)
            let radiusY = radiusX * rng.next(in: 128...384) / 256
            let softness = kind == .disc ? rng.next(in: 30_000...58_000) : rng.next(in: 6000...16_000)
            return Shape(
                kind: kind, centerX: centerX, centerY: centerY, radiusX: radiusX, radiusY: radiusY,
                angle: angle, color: color, highlight: highlight, opacity: opacity, softness: softness)
        case .band:
            let halfWidth = rng.next(in: 3000...11_000)
            return Shape(
                kind: .band, centerX: centerX, centerY: centerY, radiusX: halfWidth, radiusY: halfWidth,
                angle: angle, color: color, highlight: highlight, opacity: opacity,
                softness: rng.next(in: 10_000...40_000),
                waveAmplitude: rng.next(in: 0...7000), waveLength: rng.next(in: 22_000...90_000),
                wavePhase: rng.next(below: 256))
        case .blob:
            let count = rng.next(in: 3...5)
            var satellites: [Satellite] = []
            var maxReach = 1
            for _ in 0..<count {
                let radius = rng.next(in: 3500...10_000)
                let dx = rng.next(in: -9000...9000)
                let dy = rng.next(in: -9000...9000)
                satellites.append(Satellite(dx: dx, dy: dy, radius: radius))
                maxReach = max(maxReach, max(abs(dx), abs(dy)) + radius)
            }
            return Shape(
                kind: .blob, centerX: centerX, centerY: centerY, radiusX: maxReach, radiusY: maxReach,
                angle: angle, color: color, highlight: highlight, opacity: opacity, softness: 0,
                satellites: satellites)
        }
    }
}
