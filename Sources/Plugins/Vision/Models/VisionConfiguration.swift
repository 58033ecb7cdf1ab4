/// The vision plugin's settings (`plugins.settings.vision` in the node's configuration).
///
/// Every field has a default, so an empty section (`{}`) is a working configuration; override
/// fields in YAML (`plugins.settings.vision`) or as JSON in `ORGANIC_PLUGINS_SETTINGS`.
public struct VisionConfiguration: Codable, Sendable, Hashable {
    /// The JSON spoken with miners: Organic's own (default) or Subnet 19's nineteen miners'.
    public var minerWireFormat: MinerWireFormat
    /// The generation models (engines) offered, with their allowed parameter ranges for
    /// text-to-image, image-to-image and scribble.
    public var models: [ImageModel]
    /// Ranges for inpaint requests that name no model (nineteen's `inpaint` task).
    public var inpaint: GenerationLimits
    /// Ranges for `/v1/avatar` (nineteen's `avatar` task).
    public var avatar: GenerationLimits
    /// nineteen capacity: a miner's declared volume (diffusion steps per scoring period) per
    /// request it is sent at once; a declaration of up to this much is one concurrent request.
    public var nineteenVolumePerConcurrentRequest: Double
    /// Longest prompt accepted, in characters.
    public var maxPromptLength: Int
    /// Price of one generated image, in credits.
    public var imagePrice: Double
    /// Price of one clip-embeddings call, in credits.
    public var embeddingPrice: Double
    /// Allowed `image_strength` for image-to-image, inpaint and scribble.
    public var minImageStrength: Double
    public var maxImageStrength: Double
    /// Allowed `scale` factors for `/v1/upscale`.
    public var upscaleFactors: [Int]
    /// Largest base64 text accepted for one image field, in characters.
    public var maxImageBase64Length: Int
    /// Largest input image, in pixels (`width * height` read from the header before decoding).
    public var maxInputPixels: Int
    /// Largest upscaled output, in pixels.
    public var maxUpscaleOutputPixels: Int
    /// Most images in one `/v1/clip-embeddings` request.
    public var maxEmbeddingImages: Int
    /// Format of images returned to callers; miners always send PNG.
    public var outputFormat: ImageFormat
    /// Optional caption corpus (one caption per line) for synthetic prompts; nil uses the bundled one.
    public var captionCorpusPath: String?
    /// Most words in a synthetic prompt.
    public var maxSyntheticPromptWords: Int
    /// Largest width or height of synthetic generation requests (the model's smallest size if lower).
    public var maxSyntheticSide: Int
    /// Side of the synthetic input images (init images, masks, scribbles, upscale inputs), in pixels.
    public var syntheticImageSize: Int
    /// Words that make the reference miner flag a prompt as NSFW (a stand-in for a real safety checker).
    public var referenceNSFWWords: [String]

    public init(models: [ImageModel] = ImageModel.defaults, maxPromptLength: Int = 1000, imagePrice: Double = 1,
                minerWireFormat: MinerWireFormat = .organic) {
        self.minerWireFormat = minerWireFormat
        self.models = models
        inpaint = .inpaint
        avatar = .avatar
        nineteenVolumePerConcurrentRequest = 800
        self.maxPromptLength = maxPromptLength
        self.imagePrice = imagePrice
        embeddingPrice = 0.2
        minImageStrength = 0
        maxImageStrength = 1
        upscaleFactors = [2, 4]
        maxImageBase64Length = 12 << 20
        maxInputPixels = 2048 * 2048
        maxUpscaleOutputPixels = 2048 * 2048
        maxEmbeddingImages = 8
        outputFormat = .png
        captionCorpusPath = nil
        maxSyntheticPromptWords = 20
        maxSyntheticSide = 1024
        syntheticImageSize = 128
        referenceNSFWWords = ["nsfw"]
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = VisionConfiguration()
        minerWireFormat = try c.decodeIfPresent(MinerWireFormat.self, forKey: .minerWireFormat) ?? d.minerWireFormat
        models = try c.decodeIfPresent([ImageModel].self, forKey: .models) ?? d.models
        inpaint = try c.decodeIfPresent(GenerationLimits.self, forKey: .inpaint) ?? d.inpaint
        avatar = try c.decodeIfPresent(GenerationLimits.self, forKey: .avatar) ?? d.avatar
        nineteenVolumePerConcurrentRequest = try c.decodeIfPresent(Double.self, forKey: .nineteenVolumePerConcurrentRequest)
            ?? d.nineteenVolumePerConcurrentRequest
        maxPromptLength = try c.decodeIfPresent(Int.self, forKey: .maxPromptLength) ?? d.maxPromptLength
        imagePrice = try c.decodeIfPresent(Double.self, forKey: .imagePrice) ?? d.imagePrice
        embeddingPrice = try c.decodeIfPresent(Double.self, forKey: .embeddingPrice) ?? d.embeddingPrice
        minImageStrength = try c.decodeIfPresent(Double.self, forKey: .minImageStrength) ?? d.minImageStrength
        maxImageStrength = try c.decodeIfPresent(Double.self, forKey: .maxImageStrength) ?? d.maxImageStrength
        upscaleFactors = try c.decodeIfPresent([Int].self, forKey: .upscaleFactors) ?? d.upscaleFactors
        maxImageBase64Length = try c.decodeIfPresent(Int.self, forKey: .maxImageBase64Length) ?? d.maxImageBase64Length
        maxInputPixels = try c.decodeIfPresent(Int.self, forKey: .maxInputPixels) ?? d.maxInputPixels
        maxUpscaleOutputPixels = try c.decodeIfPresent(Int.self, forKey: .maxUpscaleOutputPixels) ?? d.maxUpscaleOutputPixels
        maxEmbeddingImages = try c.decodeIfPresent(Int.self, forKey: .maxEmbeddingImages) ?? d.maxEmbeddingImages
        outputFormat = try c.decodeIfPresent(ImageFormat.self, forKey: .outputFormat) ?? d.outputFormat
        captionCorpusPath = try c.decodeIfPresent(String.self, forKey: .captionCorpusPath)
        maxSyntheticPromptWords = try c.decodeIfPresent(Int.self, forKey: .maxSyntheticPromptWords) ?? d.maxSyntheticPromptWords
        maxSyntheticSide = try c.decodeIfPresent(Int.self, forKey: .maxSyntheticSide) ?? d.maxSyntheticSide
        syntheticImageSize = try c.decodeIfPresent(Int.self, forKey: .syntheticImageSize) ?? d.syntheticImageSize
        referenceNSFWWords = try c.decodeIfPresent([String].self, forKey: .referenceNSFWWords) ?? d.referenceNSFWWords
    }

    func check() throws(VisionConfigurationError) {
        guard !models.isEmpty else { throw VisionConfigurationError("at least one model is required") }
        var names: Set<String> = [NineteenTask.inpaint, NineteenTask.avatar]
        for model in models {
            try model.check()
            for name in [model.name, model.imageToImageName] where !names.insert(name).inserted {
                throw VisionConfigurationError("model name '\(name)' is listed twice or is reserved")
            }
        }
        try inpaint.check("inpaint")
        try avatar.check("avatar")
        guard nineteenVolumePerConcurrentRequest.isFinite, nineteenVolumePerConcurrentRequest > 0 else {
            throw VisionConfigurationError("nineteenVolumePerConcurrentRequest must be > 0")
        }
        guard (1...100_000).contains(maxPromptLength) else { throw VisionConfigurationError("maxPromptLength must be 1...100000") }
        guard imagePrice.isFinite, imagePrice >= 0 else { throw VisionConfigurationError("imagePrice must be >= 0") }
        guard embeddingPrice.isFinite, embeddingPrice >= 0 else { throw VisionConfigurationError("embeddingPrice must be >= 0") }
        guard minImageStrength.isFinite, maxImageStrength.isFinite, 0 <= minImageStrength, minImageStrength <= maxImageStrength,
              maxImageStrength <= 1
        else { throw VisionConfigurationError("image strengths must satisfy 0 <= minImageStrength <= maxImageStrength <= 1") }
        guard !upscaleFactors.isEmpty, upscaleFactors.allSatisfy({ (2...8).contains($0) }) else {
            throw VisionConfigurationError("upscaleFactors must be a non-empty list of integers in 2...8")
        }
        guard (1024...(64 << 20)).contains(maxImageBase64Length) else {
            throw VisionConfigurationError("maxImageBase64Length must be 1024...67108864")
        }
        guard (64 * 64...(4096 * 4096)).contains(maxInputPixels) else { throw VisionConfigurationError("maxInputPixels must be 4096...16777216") }
        guard (64 * 64...(8192 * 8192)).contains(maxUpscaleOutputPixels) else {
            throw VisionConfigurationError("maxUpscaleOutputPixels must be 4096...67108864")
        }
        guard (1...256).contains(maxEmbeddingImages) else { throw VisionConfigurationError("maxEmbeddingImages must be 1...256") }
        guard (4...76).contains(maxSyntheticPromptWords) else { throw VisionConfigurationError("maxSyntheticPromptWords must be 4...76") }
        guard (64...8192).contains(maxSyntheticSide) else { throw VisionConfigurationError("maxSyntheticSide must be 64...8192") }
        guard (16...1024).contains(syntheticImageSize) else { throw VisionConfigurationError("syntheticImageSize must be 16...1024") }
    }

    /// The engine a text-to-image or scribble request names (underscores read as hyphens).
    func model(named name: String) -> ImageModel? {
        let name = ModelName.normalized(name)
        return models.first { $0.name == name }
    }

    /// The engine an image-to-image request names: its image-to-image task name
    /// (`proteus-image-to-image`) or the engine's own name (`proteus-text-to-image`).
    func imageToImageModel(named name: String) -> ImageModel? {
        let name = ModelName.normalized(name)
        return models.first { $0.imageToImageName == name } ?? models.first { $0.name == name }
    }

    var imageStrengths: ClosedRange<Double> { minImageStrength...maxImageStrength }

    /// Limits applied to every image a caller sends, before any pixel is decoded.
    var inputLimits: ImageLimits {
        ImageLimits(maxEncodedBytes: maxImageBase64Length / 4 * 3 + 3, maxPixels: maxInputPixels, maxDimension: 8192)
    }

    /// Largest request body: room for the image fields plus generous room for the rest.
    func maxRequestBytes(images: Int) -> Int { images * (maxImageBase64Length + 64) + (64 << 10) }
}

/// A vision setting that cannot be used.
public struct VisionConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
