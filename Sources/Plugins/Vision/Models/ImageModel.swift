/// A generation engine and the parameter ranges it accepts.
public struct ImageModel: Codable, Sendable, Hashable {
    public var name: String
    public var minSteps: Int
    public var maxSteps: Int
    public var minCfgScale: Double
    public var maxCfgScale: Double
    /// Width and height must be multiples of `sizeStep` within `minSize...maxSize`.
    public var minSize: Int
    public var maxSize: Int
    public var sizeStep: Int

    public init(name: String, steps: ClosedRange<Int>, cfgScale: ClosedRange<Double>, sizes: ClosedRange<Int> = 512...1344, sizeStep: Int = 64) {
        self.name = name
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

    /// The subnet's engines as deployed: fast SDXL-turbo-like engines take 6–12 steps and
    /// guidance 1–4; slower ones 25–50 steps and guidance 1–10.
    public static let defaults: [ImageModel] = [
        ImageModel(name: "proteus-text-to-image", steps: 6...12, cfgScale: 1...4),
        ImageModel(name: "dreamshaper-text-to-image", steps: 6...12, cfgScale: 1...4),
        ImageModel(name: "playground-text-to-image", steps: 25...50, cfgScale: 1...10),
    ]

    func check() throws(VisionConfigurationError) {
        guard !name.isEmpty else { throw VisionConfigurationError("a model has an empty name") }
        guard minSteps >= 1, minSteps <= maxSteps, maxSteps <= 200 else { throw VisionConfigurationError("\(name): steps must lie in 1...200") }
        guard minCfgScale.isFinite, maxCfgScale.isFinite, minCfgScale >= 0, minCfgScale <= maxCfgScale else {
            throw VisionConfigurationError("\(name): cfg scale range is invalid")
        }
        guard sizeStep >= 8, minSize >= sizeStep, minSize <= maxSize, maxSize <= 2048, minSize % sizeStep == 0, maxSize % sizeStep == 0 else {
            throw VisionConfigurationError("\(name): sizes must be multiples of sizeStep (>= 8) within 8...2048")
        }
    }
}
