import Foundation
import OrganicPluginAPI
@testable import VisionPlugin

/// Small pictures and base64 helpers for the vision tests.
enum VisionTestImages {
    static func picture(_ width: Int = 96, _ height: Int = 80, seed: UInt64 = 3, prompt: String = "a red fox in snow") -> RGBImage {
        ProceduralImageGenerator().render(prompt: prompt, negativePrompt: "", seed: seed, steps: 10, cfgScale: 4,
                                          width: width, height: height)
    }

    static func png(_ image: RGBImage) -> String {
        Data((try? ImageCodec.encodePNG(image)) ?? []).base64EncodedString()
    }

    static func jpeg(_ image: RGBImage) -> String {
        Data((try? ImageCodec.encodeJPEG(image)) ?? []).base64EncodedString()
    }

    static func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// The bad images every image field must refuse, with the error code each gets (nil: any decoding code).
    static var badImages: [(name: String, b64: String, code: String?)] {
        let valid = (try? ImageCodec.encodePNG(picture(), fast: false)) ?? []
        var random = SystemRandomNumberGenerator()
        let noise = (0..<512).map { _ in UInt8.random(in: 0...255, using: &random) | 1 }
        return [
            ("truncated PNG", b64(Array(valid.prefix(valid.count / 2))), "truncated_image"),
            ("JPEG with a lying header", b64(ImageDecodingHostileInputTests.jpegClaiming(width: 2000, height: 1500)), nil),
            ("100000x100000 PNG header", b64(ImageDecodingHostileInputTests.pngClaiming(width: 100_000, height: 100_000)), "image_too_large"),
            ("random bytes", b64([0x42] + noise), "unsupported_format"),
            ("empty string", "", "empty_image"),
            ("not base64", "this is *not* base64!", "invalid_base64"),
        ]
    }
}

/// The image-carrying generation requests, perturbed as the node would (validator uid 7).
struct PerturbedGenerationRequests {
    var imageToImage: ImageToImageRequest
    var inpaint: InpaintRequest
    var scribble: ScribbleRequest

    init(plugin: VisionPlugin, image: String, context: inout PerturbationContext) {
        imageToImage = ImageToImageRequest(initImage: image, prompt: "a cat", steps: 8, cfgScale: 2, width: 512, height: 512,
                                           model: "proteus-text-to-image", seed: 1)
        inpaint = InpaintRequest(initImage: image, mask: image, prompt: "a cat", steps: 8, cfgScale: 2, width: 512, height: 512,
                                 model: "proteus-text-to-image", seed: 1)
        scribble = ScribbleRequest(initImage: image, prompt: "a cat", steps: 8, cfgScale: 2, width: 512, height: 512,
                                   model: "proteus-text-to-image", seed: 1)
        plugin.imageToImage.perturb(&imageToImage, context: &context)
        plugin.inpaint.perturb(&inpaint, context: &context)
        plugin.scribble.perturb(&scribble, context: &context)
    }
}
