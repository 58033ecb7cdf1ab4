/// `POST /v1/clip-embeddings` request: `{"image_b64s": ["<base64>", ...]}`.
package struct ClipEmbeddingsRequest: Codable, Sendable, Hashable {
    package var imageB64s: [String]
    /// The images as validation decoded them, for perturbation (not coded).
    let decoded = DecodedImages()

    package init(imageB64s: [String]) {
        self.imageB64s = imageB64s
    }

    enum CodingKeys: String, CodingKey { case imageB64s = "image_b64s" }
}

/// `{"clip_embeddings": [[Float]]}`: one 512-float embedding per image, in request order.
package struct ClipEmbeddingsResponse: Codable, Sendable, Hashable {
    package var clipEmbeddings: [[Float]]

    package init(clipEmbeddings: [[Float]]) {
        self.clipEmbeddings = clipEmbeddings
    }

    enum CodingKeys: String, CodingKey { case clipEmbeddings = "clip_embeddings" }
}
