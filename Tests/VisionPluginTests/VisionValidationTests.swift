import OrganicPluginAPI
import Testing
@testable import VisionPlugin

/// Every validation error names the field, and the allowed range where there is one.
@Suite("Vision request validation")
struct VisionValidationTests {
    let plugin: VisionPlugin
    let image = VisionTestImages.png(VisionTestImages.picture())
    init() throws { plugin = try VisionPlugin() }

    func error(_ body: () throws -> Void) -> RequestValidationError? {
        do { try body(); return nil } catch { return error as? RequestValidationError ?? RequestValidationError(code: "?", field: nil, message: "\(error)") }
    }

    var textToImage: TextToImageRequest {
        TextToImageRequest(prompt: "a cat", steps: 8, cfgScale: 2, width: 512, height: 512, model: "proteus-text-to-image")
    }

    @Test("generation fields: prompt, negative prompt, model, steps, cfg_scale, width, height")
    func generationFields() {
        let e = plugin.textToImage
        #expect(error { try e.validate(textToImage) } == nil)
        var r = textToImage
        r.prompt = "  "
        #expect(error { try e.validate(r) }?.field == "prompt")
        r = textToImage
        r.prompt = String(repeating: "x", count: 1001)
        #expect(error { try e.validate(r) }?.code == "too_long")
        r = textToImage
        r.negativePrompt = String(repeating: "x", count: 1001)
        #expect(error { try e.validate(r) }?.field == "negative_prompt")
        r = textToImage
        r.model = "nope"
        #expect(error { try e.validate(r) }?.code == "unsupported_value")
        r = textToImage
        r.steps = 40
        #expect(error { try e.validate(r) } == RequestValidationError(code: "out_of_range", field: "steps", message: "steps must be between 6 and 12, got 40."))
        r = textToImage
        r.cfgScale = .infinity
        #expect(error { try e.validate(r) }?.field == "cfg_scale")
        r = textToImage
        r.cfgScale = 9
        #expect(error { try e.validate(r) }?.message.contains("between 1.0 and 4.0") == true)
        r = textToImage
        r.width = 500
        #expect(error { try e.validate(r) }?.message == "width must be a multiple of 64 between 512 and 1344, got 500.")
        r = textToImage
        r.height = 2048
        #expect(error { try e.validate(r) }?.field == "height")
    }

    @Test("image_strength must lie in [0, 1]")
    func strength() {
        let ok = ImageToImageRequest(initImage: image, imageStrength: 0.5, prompt: "a cat", steps: 8, cfgScale: 2, width: 512, height: 512,
                                     model: "proteus-text-to-image")
        #expect(error { try plugin.imageToImage.validate(ok) } == nil)
        for bad in [-0.1, 1.5, Double.nan] {
            var r = ok
            r.imageStrength = bad
            #expect(error { try plugin.imageToImage.validate(r) }?.field == "image_strength")
        }
        var inpaint = InpaintRequest(initImage: image, mask: image, prompt: "a cat", steps: 8, cfgScale: 2, width: 512, height: 512,
                                     model: "proteus-text-to-image")
        inpaint.imageStrength = 2
        #expect(error { try plugin.inpaint.validate(inpaint) }?.field == "image_strength")
    }

    @Test("every image field refuses every bad image with a clear code", arguments: 0..<6)
    func badImages(index: Int) {
        let bad = VisionTestImages.badImages[index]
        func check(_ e: RequestValidationError?, field: String) {
            #expect(e?.field == field, "\(bad.name)")
            if let code = bad.code { #expect(e?.code == code, "\(bad.name): \(e?.message ?? "-")") } else { #expect(e != nil) }
        }
        let gen = (prompt: "a cat", steps: 8, cfg: 2.0, size: 512, model: "proteus-text-to-image")
        check(error { try plugin.imageToImage.validate(ImageToImageRequest(initImage: bad.b64, prompt: gen.prompt, steps: gen.steps,
              cfgScale: gen.cfg, width: gen.size, height: gen.size, model: gen.model)) }, field: "init_image")
        check(error { try plugin.inpaint.validate(InpaintRequest(initImage: image, mask: bad.b64, prompt: gen.prompt, steps: gen.steps,
              cfgScale: gen.cfg, width: gen.size, height: gen.size, model: gen.model)) }, field: "mask")
        check(error { try plugin.scribble.validate(ScribbleRequest(initImage: bad.b64, prompt: gen.prompt, steps: gen.steps,
              cfgScale: gen.cfg, width: gen.size, height: gen.size, model: gen.model)) }, field: "init_image")
        check(error { try plugin.upscale.validate(UpscaleRequest(image: bad.b64)) }, field: "image")
        check(error { try plugin.clipEmbeddings.validate(ClipEmbeddingsRequest(imageB64s: [image, bad.b64])) }, field: "image_b64s[1]")
    }

    @Test("JPEG inputs and data URLs are accepted")
    func jpegAndDataURL() {
        #expect(error { try plugin.upscale.validate(UpscaleRequest(image: VisionTestImages.jpeg(VisionTestImages.picture()))) } == nil)
        #expect(error { try plugin.upscale.validate(UpscaleRequest(image: "data:image/png;base64," + image)) } == nil)
    }

    @Test("limits: base64 size, pixel count from the header, images per embeddings request, upscale output")
    func limits() throws {
        var small = VisionConfiguration()
        small.maxImageBase64Length = 1024
        small.maxInputPixels = 64 * 64
        small.maxEmbeddingImages = 2
        small.maxUpscaleOutputPixels = 100 * 100
        let limited = try VisionPlugin(configuration: small)
        let big = VisionTestImages.png(VisionTestImages.picture(200, 200))
        #expect(error { try limited.upscale.validate(UpscaleRequest(image: big)) }?.code == "image_too_large")
        let header = VisionTestImages.b64(ImageDecodingHostileInputTests.pngClaiming(width: 65, height: 64))
        #expect(error { try limited.upscale.validate(UpscaleRequest(image: header)) }?.code == "image_too_many_pixels")
        let tiny = VisionTestImages.png(RGBImage(width: 60, height: 60, fill: (10, 20, 30)))
        #expect(error { try limited.upscale.validate(UpscaleRequest(image: tiny, scale: 2)) }?.code == "image_too_many_pixels")
        #expect(error { try limited.upscale.validate(UpscaleRequest(image: tiny, scale: 3)) }?.field == "scale")
        #expect(error { try limited.clipEmbeddings.validate(ClipEmbeddingsRequest(imageB64s: [tiny, tiny, tiny])) }?.code == "invalid_count")
        #expect(error { try limited.clipEmbeddings.validate(ClipEmbeddingsRequest(imageB64s: [])) }?.field == "image_b64s")
    }

    @Test("invalid configurations are refused")
    func configuration() {
        var c = VisionConfiguration()
        c.maxImageStrength = 1.5
        #expect(throws: VisionConfigurationError.self) { try VisionPlugin(configuration: c) }
        c = VisionConfiguration()
        c.upscaleFactors = [1]
        #expect(throws: VisionConfigurationError.self) { try VisionPlugin(configuration: c) }
        c = VisionConfiguration()
        c.captionCorpusPath = "/nonexistent/captions.txt"
        #expect(throws: (any Error).self) { try VisionPlugin(configuration: c) }
    }
}
