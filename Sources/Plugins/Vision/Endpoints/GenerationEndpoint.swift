package import OrganicPluginAPI

/// An image-generating endpoint: text-to-image, image-to-image, inpaint and scribble.
///
/// They answer the same way and are perturbed the same way, so the answer check and the
/// seed assignment live here once; each endpoint keeps its own descriptor, request
/// validation, synthetic requests and reward.
package protocol GenerationEndpoint: Endpoint where Request: GenerationRequest, Response == ImageResponse {}

extension GenerationEndpoint {
    /// A decodable image of exactly the requested size, or a well-formed NSFW answer (see `GeneratedImageCheck`).
    package func validate(response: ImageResponse, for request: Request) throws(ResponseValidationError) {
        try GeneratedImageCheck.validate(response, width: request.width, height: request.height)
    }

    /// The validator assigns the seed from its own block; the caller's seed is discarded.
    package func perturb(_ request: inout Request, context: inout PerturbationContext) {
        request.seed = context.nextSeed()
    }
}
