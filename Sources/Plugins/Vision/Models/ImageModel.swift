/// A generation engine and the parameter ranges it accepts.
///
/// `name` is the engine's text-to-image task name (`proteus-text-to-image`); its image-to-image
/// task is named by replacing the `-text-to-image` suffix with `-image-to-image`
/// (`proteus-image-to-image`), as Subnet 19 names them. Coded flat: the ranges of
/// ``GenerationLimits`` sit next to `name`, and `imageToImage` optionally overrides them for
/// image-to-image.
public struct ImageModel: Codable, Sendable, Hashable {
    public var name: String
    /// Ranges for text-to-image and scribble (and inpaint or image-to-image when they name this engine).
    public var limits: GenerationLimits
    /// Ranges for the image-to-image task when they differ; nil uses `limits`.
    public var imageToImage: GenerationLimits?

    public init(name: String, steps: ClosedRange<Int>, cfgScale: ClosedRange<Double>, sizes: ClosedRange<Int> = 512...1344, sizeStep: Int = 64,
                imageToImage: GenerationLimits? = nil) {
        self.init(name: name, limits: GenerationLimits(steps: steps, cfgScale: cfgScale, sizes: sizes, sizeStep: sizeStep),
                  imageToImage: imageToImage)
    }

    public init(name: String, limits: GenerationLimits, imageToImage: GenerationLimits? = nil) {
        self.name = name
        self.limits = limits
        self.imageToImage = imageToImage
    }

    enum CodingKeys: String, CodingKey { case name, imageToImage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        limits = try GenerationLimits(from: decoder)
        imageToImage = try c.decodeIfPresent(GenerationLimits.self, forKey: .imageToImage)
    }

    public func encode(to encoder: any Encoder) throws {
        try limits.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(imageToImage, forKey: .imageToImage)
    }

    public var steps: ClosedRange<Int> { limits.steps }
    public var cfgScale: ClosedRange<Double> { limits.cfgScale }
    public var sizes: ClosedRange<Int> { limits.sizes }

    /// The engine's family: the name without its `-text-to-image` suffix (`proteus`).
    public var family: String {
        name.hasSuffix(Self.textToImageSuffix) ? String(name.dropLast(Self.textToImageSuffix.count)) : name
    }

    /// The image-to-image task name, `<family>-image-to-image`.
    public var imageToImageName: String { family + Self.imageToImageSuffix }

    /// The ranges for image-to-image.
    public var imageToImageLimits: GenerationLimits { imageToImage ?? limits }

    static let textToImageSuffix = "-text-to-image"
    static let imageToImageSuffix = "-image-to-image"

    /// nineteen's image engines with its workers' limits: Proteus and DreamShaper (SDXL
    /// lightning: 6–12 steps, guidance 1–4) and FLUX.1-schnell (5–10 steps, guidance 1–5);
    /// sides 512–1344 in steps of 64. Each is offered for text-to-image and image-to-image.
    public static let defaults: [ImageModel] = [
        ImageModel(name: "proteus-text-to-image", limits: .lightning),
        ImageModel(name: "flux-schnell-text-to-image", limits: .fluxSchnell),
        ImageModel(name: "dreamshaper-text-to-image", limits: .lightning),
    ]

    func check() throws(VisionConfigurationError) {
        guard !name.isEmpty else { throw VisionConfigurationError("a model has an empty name") }
        guard !name.contains("/"), !name.contains("_") else {
            throw VisionConfigurationError("\(name): model names may not contain '/' or '_' (callers' underscores become hyphens)")
        }
        try limits.check(name)
        try imageToImage?.check(imageToImageName)
    }
}
