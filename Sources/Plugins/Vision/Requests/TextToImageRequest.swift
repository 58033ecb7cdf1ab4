/// `POST /v1/text-to-image` request, field for field as in the subnet's public API.
package struct TextToImageRequest: GenerationRequest {
    package var generation: GenerationFields

    package init(prompt: String, negativePrompt: String = "", steps: Int = 10, cfgScale: Double = 3, width: Int = 1024,
                height: Int = 1024, model: String, seed: UInt64? = nil) {
        generation = GenerationFields(prompt: prompt, negativePrompt: negativePrompt, steps: steps, cfgScale: cfgScale,
                                      width: width, height: height, model: model, seed: seed)
    }

    package init(from decoder: any Decoder) throws {
        generation = try GenerationFields(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        try generation.encode(to: encoder)
    }
}
