/// The vision plugin's settings (`plugins.settings.vision` in the node's configuration).
public struct VisionConfiguration: Codable, Sendable, Hashable {
    /// The generation models (engines) offered, with their allowed parameter ranges.
    public var models: [ImageModel]
    /// Longest prompt accepted, in characters.
    public var maxPromptLength: Int
    /// Price of one generated image, in credits.
    public var imagePrice: Double

    public init(models: [ImageModel] = ImageModel.defaults, maxPromptLength: Int = 1000, imagePrice: Double = 1) {
        self.models = models
        self.maxPromptLength = maxPromptLength
        self.imagePrice = imagePrice
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = VisionConfiguration()
        models = try c.decodeIfPresent([ImageModel].self, forKey: .models) ?? d.models
        maxPromptLength = try c.decodeIfPresent(Int.self, forKey: .maxPromptLength) ?? d.maxPromptLength
        imagePrice = try c.decodeIfPresent(Double.self, forKey: .imagePrice) ?? d.imagePrice
    }

    func check() throws(VisionConfigurationError) {
        guard !models.isEmpty else { throw VisionConfigurationError("at least one model is required") }
        var names = Set<String>()
        for model in models {
            guard names.insert(model.name).inserted else { throw VisionConfigurationError("model '\(model.name)' is listed twice") }
            try model.check()
        }
        guard (1...100_000).contains(maxPromptLength) else { throw VisionConfigurationError("maxPromptLength must be 1...100000") }
        guard imagePrice.isFinite, imagePrice >= 0 else { throw VisionConfigurationError("imagePrice must be >= 0") }
    }

    func model(named name: String) -> ImageModel? { models.first { $0.name == name } }
}

/// A vision setting that cannot be used.
public struct VisionConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
