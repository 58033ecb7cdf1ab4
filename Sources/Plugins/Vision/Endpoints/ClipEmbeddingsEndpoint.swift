package import OrganicPluginAPI
import Foundation

/// `POST /v1/clip-embeddings`.
package struct ClipEmbeddingsEndpoint: Endpoint, VisionEndpoint {
    package typealias Request = ClipEmbeddingsRequest
    package typealias Response = ClipEmbeddingsResponse

    let resources: VisionResources

    package var descriptor: EndpointDescriptor {
        resources.descriptor(name: "clip-embeddings", summary: "Returns a 512-float CLIP ViT-B/32 image embedding per image.",
                             timeout: .seconds(6), images: configuration.maxEmbeddingImages, models: ["clip-vit-b-32"],
                             price: configuration.embeddingPrice)
    }

    package func validate(_ request: ClipEmbeddingsRequest) throws(RequestValidationError) {
        try FieldCheck.count(request.imageB64s, 1...configuration.maxEmbeddingImages, field: "image_b64s")
        for (i, image) in request.imageB64s.enumerated() {
            // Kept for perturb, which jitters these pixels (decoding once per request).
            let raster = try ImageInput.decodeRaster(image, field: "image_b64s[\(i)]", configuration: configuration)
            request.decoded.keep(raster, decodedFrom: image, at: i)
        }
    }

    package func validate(response: ClipEmbeddingsResponse, for request: ClipEmbeddingsRequest) throws(ResponseValidationError) {
        guard response.clipEmbeddings.count == request.imageB64s.count else {
            throw ResponseValidationError("expected \(request.imageB64s.count) embeddings, got \(response.clipEmbeddings.count)")
        }
        guard response.clipEmbeddings.allSatisfy(EmbeddingSimilarity.isValid) else {
            throw ResponseValidationError("every embedding must hold \(PseudoClipEmbedding.dimensions) finite numbers")
        }
    }

    /// Jitters every image (1–3 pixels by ±1 per channel) and re-encodes it as PNG. The perturbed
    /// request, which miners receive and scoring compares, carries the jittered images. Images
    /// that validation decoded are not decoded again.
    package func perturb(_ request: inout ClipEmbeddingsRequest, context: inout PerturbationContext) {
        for i in request.imageB64s.indices {
            let jittered: [UInt8]?
            if let raster = request.decoded.take(at: i, source: request.imageB64s[i]) {
                jittered = PixelJitter.jitterEncoded(raster, random: &context.random)
            } else if let bytes = try? ImageInput.bytes(request.imageB64s[i], field: "", maxLength: .max) {
                jittered = PixelJitter.jitterEncoded(bytes, random: &context.random)?.png
            } else {
                jittered = nil
            }
            if let jittered { request.imageB64s[i] = Data(jittered).base64EncodedString() }
        }
    }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> ClipEmbeddingsRequest? {
        let count = Int.random(in: 1...min(3, configuration.maxEmbeddingImages), using: &context.random)
        return ClipEmbeddingsRequest(imageB64s: (0..<count).map { _ in
            ImageInput.encodePNG(resources.syntheticImage(using: &context.random))
        })
    }

    package func reward(_ round: ScoringRound<ClipEmbeddingsRequest, ClipEmbeddingsResponse>) -> RewardVerdict {
        EmbeddingReward.rewards(for: round.answers)
    }

    package func agreement(for request: ClipEmbeddingsRequest) -> AnswerAgreement<ClipEmbeddingsResponse>? {
        EmbeddingReward.agreement
    }
}
