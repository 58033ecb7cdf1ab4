import OrganicPluginAPI

/// Checks a miner's image answer: a decodable image of the expected size with a usable
/// embedding, or, when flagged NSFW, no image but well-formed hashes and an embedding.
enum GeneratedImageCheck {
    static func validate(_ response: ImageResponse, width: Int, height: Int) throws(ResponseValidationError) {
        if let embedding = response.clipEmbedding, !EmbeddingSimilarity.isValid(embedding) {
            throw ResponseValidationError("clip_embedding must hold \(PseudoClipEmbedding.dimensions) finite numbers")
        }
        if response.flaggedNSFW {
            guard response.imageB64?.isEmpty ?? true else { throw ResponseValidationError("an NSFW answer must not carry the image") }
            guard let hashes = response.imageHashes, hashes.isWellFormed else {
                throw ResponseValidationError("an NSFW answer must carry the four image hashes")
            }
            guard response.clipEmbedding != nil else { throw ResponseValidationError("an NSFW answer must carry clip_embedding") }
            return
        }
        guard let b64 = response.imageB64 else { throw ResponseValidationError("image_b64 is missing") }
        let bytes: [UInt8]
        do { bytes = try ImageInput.bytes(b64, field: "image_b64", maxLength: 64 << 20) } catch {
            throw ResponseValidationError(error.message)
        }
        // Pixels are decoded only if the answer is scored; here it is enough to know they would decode.
        let image: (format: ImageFormat, width: Int, height: Int)
        do { image = try ImageCodec.verify(bytes, limits: .largest) } catch {
            throw ResponseValidationError("image does not decode: \(error.message)")
        }
        guard image.width == width, image.height == height else {
            throw ResponseValidationError("image is \(image.width)x\(image.height), expected \(width)x\(height)")
        }
    }
}
