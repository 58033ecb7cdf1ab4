/// The parameter ranges one generation task accepts.
///
/// Coded flat: `{"minSteps": 6, "maxSteps": 12, "minCfgScale": 1, "maxCfgScale": 4, "minSize": 512, "maxSize": 1344, "sizeStep": 64}`.
public struct GenerationLimits: Codable, Sendable, Hashable {
    public var minSteps: Int
    public var maxSteps: Int
    public var minCfgScale: Double
    public var maxCfgScale: Double
    /// Width and height must be multiples of `sizeStep` within `minSize...maxSize`.
    public var minSize: Int
    public var maxSize: Int
    public var sizeStep: Int

    public init(steps: ClosedRange<Int>, cfgScale: ClosedRange<Double>, sizes: ClosedRange<Int> = 512...1344, sizeStep: Int = 64) {
        minSteps = steps.lowerBound
        maxSteps = steps.upperBound
        minCfgScale = cfgScale.lowerBound
        maxCfgScale = cfgScale.upperBound
        minSize = sizes.lowerBound
        maxSize = sizes.upperBound
        self.sizeStep = sizeStep
    }

    public var steps: ClosedRange<Int> { minSteps...maxSteps }
    public var cfgScale: ClosedRange<Double> { minCfgScale...maxCfgScale }
    public var sizes: ClosedRange<Int> { minSize...maxSize }

    /// Fast SDXL-lightning engines (Proteus, DreamShaper) as Subnet 19 deployed them: 6–12 steps,
    /// guidance 1–4, sides 512–1344 in steps of 64.
    public static let lightning = GenerationLimits(steps: 6...12, cfgScale: 1...4)
    /// FLUX.1-schnell: nineteen's workers refuse 4 steps or fewer; guidance 1–5 as nineteen drew it.
    public static let fluxSchnell = GenerationLimits(steps: 5...10, cfgScale: 1...5)
    /// nineteen's inpaint task: SDXL inpainting, 5–30 steps, guidance 2–11 (the workers refuse
    /// 1.5 or less and 12 or more); sides in steps of 8 (nineteen's own synthetic inpaint is 1016x1016).
    public static let inpaint = GenerationLimits(steps: 5...30, cfgScale: 2...11, sizes: 520...1344, sizeStep: 8)
    /// nineteen's avatar task (InstantID): 5–20 steps; guidance is not sent to nineteen's miners;
    /// sides 576–1536 in steps of 64 (the workers refuse 512 or less; nineteen draws 1280x1280).
    public static let avatar = GenerationLimits(steps: 5...20, cfgScale: 1...10, sizes: 576...1536, sizeStep: 64)

    func check(_ name: String) throws(VisionConfigurationError) {
        guard minSteps >= 1, minSteps <= maxSteps, maxSteps <= 200 else { throw VisionConfigurationError("\(name): steps must lie in 1...200") }
        guard minCfgScale.isFinite, maxCfgScale.isFinite, minCfgScale >= 0, minCfgScale <= maxCfgScale else {
            throw VisionConfigurationError("\(name): cfg scale range is invalid")
        }
        guard sizeStep >= 8, minSize >= sizeStep, minSize <= maxSize, maxSize <= 2048, minSize % sizeStep == 0, maxSize % sizeStep == 0 else {
            throw VisionConfigurationError("\(name): sizes must be multiples of sizeStep (>= 8) within 8...2048")
        }
    }
}
