/// An image answer: `{"image_b64": "<base64 PNG>"}` to callers.
///
/// Miners may add the features the reward needs: `is_nsfw`, `image_hashes` (imagehash hex strings)
/// and `clip_embedding`. A miner that flags an image as NSFW sends no image but must send the
/// hashes and the embedding. The node strips these fields before answering a caller.
public struct ImageResponse: Codable, Sendable, Hashable {
    public var imageB64: String?
    public var isNSFW: Bool?
    public var imageHashes: ImageHashSet?
    public var clipEmbedding: [Float]?

    public init(imageB64: String?, isNSFW: Bool? = nil, imageHashes: ImageHashSet? = nil, clipEmbedding: [Float]? = nil) {
        self.imageB64 = imageB64
        self.isNSFW = isNSFW
        self.imageHashes = imageHashes
        self.clipEmbedding = clipEmbedding
    }

    enum CodingKeys: String, CodingKey {
        case imageB64 = "image_b64"
        case isNSFW = "is_nsfw"
        case imageHashes = "image_hashes"
        case clipEmbedding = "clip_embedding"
    }

    /// Whether the miner flagged the image.
    public var flaggedNSFW: Bool { isNSFW ?? false }
}
