package import OrganicPluginAPI

/// Reference clip-embeddings: ``PseudoClipEmbedding`` of every image, in order.
package struct ClipEmbeddingsMiner: MinerHandler {
    package let endpoint: ClipEmbeddingsEndpoint

    package init(endpoint: ClipEmbeddingsEndpoint) {
        self.endpoint = endpoint
    }

    package func respond(to request: ClipEmbeddingsRequest, context: MinerContext) async throws -> ClipEmbeddingsResponse {
        ClipEmbeddingsResponse(clipEmbeddings: request.imageB64s.map { b64 in
            var image = ImageInput.decodeTrusted(b64) ?? RGBImage(width: 1, height: 1)
            // A dishonest miner answers for another picture (here: upside down).
            if context.answerWrongly { image = Self.flipped(image) }
            return PseudoClipEmbedding.embed(image)
        })
    }

    static func flipped(_ image: RGBImage) -> RGBImage {
        var out = image
        let row = image.width * 3
        guard image.isWellFormed, row > 0 else { return image }
        for y in 0..<image.height {
            let src = (image.height - 1 - y) * row
            out.pixels.replaceSubrange((y * row)..<((y + 1) * row), with: image.pixels[src..<(src + row)])
        }
        return out
    }
}
