/// An image answer: `{"image_b64": "<base64 PNG>"}` to callers.
///
/// Miners may add the features the reward needs: `is_nsfw`, `image_hashes` (imagehash hex strings)
/// and the CLIP embedding. A miner that flags an image as NSFW sends no image but must send the
/// hashes and the embedding. The node strips these fields before answering a caller.
///
/// The embedding is `clip_embedding` in the Organic wire format and `clip_embeddings` in
/// nineteen's (see ``ImageHashSet`` for the hashes); either is read, and ``wireFormat`` says which
/// is written.
package struct ImageResponse: Codable, Sendable, Hashable {
    package var imageB64: String?
    package var isNSFW: Bool?
    package var imageHashes: ImageHashSet?
    package var clipEmbedding: [Float]?
    /// How the answer is written; read back from the embedding's or the hashes' key.
    package var wireFormat: MinerWireFormat

    package init(imageB64: String?, isNSFW: Bool? = nil, imageHashes: ImageHashSet? = nil, clipEmbedding: [Float]? = nil,
                wireFormat: MinerWireFormat = .organic) {
        self.imageB64 = imageB64
        self.isNSFW = isNSFW
        self.imageHashes = imageHashes
        self.clipEmbedding = clipEmbedding
        self.wireFormat = wireFormat
    }

    enum CodingKeys: String, CodingKey {
        case imageB64 = "image_b64"
        case isNSFW = "is_nsfw"
        case imageHashes = "image_hashes"
        case clipEmbedding = "clip_embedding"
        case clipEmbeddings = "clip_embeddings"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imageB64 = try c.decodeIfPresent(String.self, forKey: .imageB64)
        isNSFW = try c.decodeIfPresent(Bool.self, forKey: .isNSFW)
        imageHashes = try c.decodeIfPresent(ImageHashSet.self, forKey: .imageHashes)
        if let nineteen = try c.decodeIfPresent([Float].self, forKey: .clipEmbeddings) {
            clipEmbedding = nineteen
            wireFormat = .nineteen
        } else {
            clipEmbedding = try c.decodeIfPresent([Float].self, forKey: .clipEmbedding)
            wireFormat = c.contains(.clipEmbeddings) ? .nineteen : imageHashes?.wireFormat ?? .organic
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(imageB64, forKey: .imageB64)
        try c.encodeIfPresent(isNSFW, forKey: .isNSFW)
        if var hashes = imageHashes {
            hashes.wireFormat = wireFormat
            try c.encode(hashes, forKey: .imageHashes)
        }
        try c.encodeIfPresent(clipEmbedding, forKey: wireFormat == .nineteen ? .clipEmbeddings : .clipEmbedding)
    }

    /// Whether the miner flagged the image.
    package var flaggedNSFW: Bool { isNSFW ?? false }
}
