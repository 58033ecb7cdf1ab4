public import OrganicPluginAPI

/// Subnet 19's vision subnet: image generation and image embeddings.
///
/// Field names follow the subnet's public API so existing apps keep working. The validator
/// assigns every seed, so miners cannot cache or predict answers.
public struct VisionPlugin: SubnetPlugin {
    public static let name = "vision"

    public typealias Configuration = VisionConfiguration

    public let configuration: VisionConfiguration
    public let textToImage: TextToImageEndpoint

    public init(configuration: VisionConfiguration) throws {
        try configuration.check()
        self.configuration = configuration
        textToImage = TextToImageEndpoint(configuration: configuration)
    }

    public var endpoints: [any Endpoint] { [textToImage] }

    public func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] {
        [TextToImageMiner(endpoint: textToImage, noiseSeed: options.hardwareNoiseSeed)]
    }
}
