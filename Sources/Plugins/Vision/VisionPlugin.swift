public import OrganicPluginAPI

/// Subnet 19's vision subnet: image generation, upscaling and image embeddings.
///
/// Field names follow the subnet's public API so existing apps keep working. The validator
/// assigns every seed (a caller's `seed` is ignored), so miners cannot cache or predict answers.
public struct VisionPlugin: SubnetPlugin {
    public static let name = "vision"

    public typealias Configuration = VisionConfiguration

    public let configuration: VisionConfiguration
    package let textToImage: TextToImageEndpoint
    package let imageToImage: ImageToImageEndpoint
    package let inpaint: InpaintEndpoint
    package let avatar: AvatarEndpoint
    package let upscale: UpscaleEndpoint
    package let scribble: ScribbleEndpoint
    package let clipEmbeddings: ClipEmbeddingsEndpoint

    public init(configuration: VisionConfiguration) throws {
        try configuration.check()
        self.configuration = configuration
        let resources = try VisionResources(configuration: configuration)
        textToImage = TextToImageEndpoint(resources: resources)
        imageToImage = ImageToImageEndpoint(resources: resources)
        inpaint = InpaintEndpoint(resources: resources)
        avatar = AvatarEndpoint(resources: resources)
        upscale = UpscaleEndpoint(resources: resources)
        scribble = ScribbleEndpoint(resources: resources)
        clipEmbeddings = ClipEmbeddingsEndpoint(resources: resources)
    }

    public var endpoints: [any Endpoint] { [textToImage, imageToImage, inpaint, avatar, upscale, scribble, clipEmbeddings] }

    public func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] {
        let noise = options.hardwareNoiseSeed
        return [
            TextToImageMiner(endpoint: textToImage, noiseSeed: noise),
            ImageToImageMiner(endpoint: imageToImage, noiseSeed: noise),
            InpaintMiner(endpoint: inpaint, noiseSeed: noise),
            AvatarMiner(endpoint: avatar, noiseSeed: noise),
            UpscaleMiner(endpoint: upscale, noiseSeed: noise),
            ScribbleMiner(endpoint: scribble, noiseSeed: noise),
            ClipEmbeddingsMiner(endpoint: clipEmbeddings),
        ]
    }

    /// Vision miners run very different models per endpoint (diffusion vs. CLIP), so each says
    /// how many requests it takes on each: `POST /capacity` → `{"capacities": {"text-to-image": 2, ...}}`,
    /// or with the nineteen wire format `{"task_configs": [...]}` → `{"proteus-text-to-image": 800, ...}`
    /// (see ``MinerWireFormat/nineteen``).
    public var capacityDeclaration: CapacityDeclaration? {
        switch configuration.minerWireFormat {
        case .organic:
            CapacityDeclaration(minerPath: "/capacity")
        case .nineteen:
            NineteenCapacity(tasks: NineteenTask.all(configuration), volumePerRequest: configuration.nineteenVolumePerConcurrentRequest,
                             timeouts: Dictionary(endpoints.map { ($0.descriptor.name, Double($0.descriptor.timeout.components.seconds)) }) { a, _ in a })
                .declaration
        }
    }

    /// nineteen's miners run fiber 1.0; with the Organic format the node's default applies.
    /// Operators may still override it (`subnets[].minerProtocol`, `dispatch.endpoints.<name>.minerProtocol`).
    public var minerProtocol: MinerProtocol? {
        switch configuration.minerWireFormat {
        case .organic: nil
        case .nineteen: .fiber1
        }
    }
}
