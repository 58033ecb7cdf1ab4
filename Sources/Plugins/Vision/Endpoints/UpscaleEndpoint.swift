package import OrganicPluginAPI

/// `POST /v1/upscale`.
package struct UpscaleEndpoint: Endpoint, VisionEndpoint {
    package typealias Request = UpscaleRequest
    package typealias Response = ImageResponse

    let resources: VisionResources

    package var descriptor: EndpointDescriptor {
        resources.descriptor(name: "upscale", summary: "Enlarges an image by an integer scale factor.", timeout: .seconds(15), images: 1,
                             models: [])
    }

    package func validate(_ request: UpscaleRequest) throws(RequestValidationError) {
        try FieldCheck.oneOf(request.scale, configuration.upscaleFactors, field: "scale")
        let image = try ImageInput.decode(request.image, field: "image", configuration: configuration)
        let output = image.pixelCount * request.scale * request.scale
        guard output <= configuration.maxUpscaleOutputPixels else {
            throw RequestValidationError(
                code: "image_too_many_pixels", field: "image",
                message: "image is \(image.width)x\(image.height); upscaled by \(request.scale) it would exceed "
                    + "\(configuration.maxUpscaleOutputPixels) pixels.")
        }
    }

    package func validate(response: ImageResponse, for request: UpscaleRequest) throws(ResponseValidationError) {
        // The request was validated already; its header alone gives the expected output size.
        guard let bytes = try? ImageInput.bytes(request.image, field: "image", maxLength: .max),
              let header = try? ImageCodec.readHeader(bytes)
        else { throw ResponseValidationError("request image does not decode") }
        try GeneratedImageCheck.validate(response, width: header.width * request.scale, height: header.height * request.scale)
    }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> UpscaleRequest? {
        let scale = configuration.upscaleFactors[Int.random(in: 0..<configuration.upscaleFactors.count, using: &context.random)]
        var image = resources.syntheticImage(using: &context.random)
        let side = Int((Double(configuration.maxUpscaleOutputPixels) / Double(scale * scale)).squareRoot())
        if image.width > side { image = ImageResampler.resize(image, width: side, height: side) }
        return UpscaleRequest(image: ImageInput.encodePNG(image), scale: scale)
    }

    package func reward(_ round: ScoringRound<UpscaleRequest, ImageResponse>) -> RewardVerdict {
        resources.reward.rewards(for: round.answers)
    }

    package func agreement(for request: UpscaleRequest) -> AnswerAgreement<ImageResponse>? {
        resources.imageAgreement
    }

    package func responseForCaller(_ response: ImageResponse, to request: UpscaleRequest, caller: UpscaleRequest) throws(CallerRefusal) -> ImageResponse {
        try resources.imageForCaller(response)
    }
}
