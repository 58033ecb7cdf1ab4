import Foundation
import OrganicPluginAPI
import Testing
@testable import VisionPlugin

/// Subnet 19's public API: task names with underscores or hyphens, per-operation names on
/// image-to-image, inpaint without a model, avatar, and ranges per task.
@Suite("Vision: model names and per-task ranges")
struct NineteenModelNameTests {
    static let image = VisionTestImages.png(VisionTestImages.picture(64, 64))

    func error(_ body: () throws -> Void) -> RequestValidationError? {
        do { try body() } catch let error as RequestValidationError { return error } catch { Issue.record("\(error)") }
        return nil
    }

    @Test("model names with underscores or hyphens; image-to-image takes its own task names and the engine's", arguments: MinerWireFormat.allCases)
    func names(format: MinerWireFormat) throws {
        let plugin = try VisionPlugin(configuration: VisionConfiguration(minerWireFormat: format))
        for name in ["proteus_text_to_image", "proteus-text-to-image", "dreamshaper_text_to_image", "flux-schnell-text-to-image"] {
            let request = TextToImageRequest(prompt: "a fox", steps: 8, cfgScale: 2, width: 512, height: 512, model: name)
            #expect(error { try plugin.textToImage.validate(request) } == nil, "\(name)")
            #expect(plugin.textToImage.model(of: request) == name.replacingOccurrences(of: "_", with: "-"))
        }
        #expect(error { try plugin.textToImage.validate(TextToImageRequest(prompt: "x", steps: 8, cfgScale: 2, width: 512, height: 512,
                                                                          model: "proteus_image_to_image")) }?.field == "model")
        for name in ["proteus_image_to_image", "proteus-image-to-image", "proteus-text-to-image", "flux_schnell_image_to_image"] {
            let request = ImageToImageRequest(initImage: Self.image, prompt: "a fox", steps: 8, cfgScale: 2, width: 512, height: 512, model: name)
            #expect(error { try plugin.imageToImage.validate(request) } == nil, "\(name)")
            #expect(plugin.imageToImage.model(of: request)?.hasSuffix("-image-to-image") == true)
        }
        let unknown = error { try plugin.imageToImage.validate(ImageToImageRequest(initImage: Self.image, prompt: "x", model: "sdxl-turbo")) }
        #expect(unknown?.code == "unsupported_value" && unknown?.message.contains("proteus-image-to-image") == true)
        #expect(plugin.imageToImage.descriptor.models == ["proteus-image-to-image", "flux-schnell-image-to-image", "dreamshaper-image-to-image"])
    }

    @Test("inpaint without a model uses the inpaint task's ranges; naming an engine uses the engine's")
    func inpaintWithoutModel() throws {
        let endpoint = try VisionPlugin().inpaint
        let decoded = try JSONDecoder().decode(InpaintRequest.self, from: Data(
            #"{"prompt":"a door","init_image":"\#(Self.image)","mask":"\#(Self.image)","steps":20,"cfg_scale":7,"width":1016,"height":1016}"#.utf8))
        #expect(decoded.model == "inpaint")
        #expect(error { try endpoint.validate(decoded) } == nil)
        var engine = decoded
        engine.model = "proteus_text_to_image"
        #expect(error { try endpoint.validate(engine) }?.field == "steps")  // 20 is outside the engine's 6–12
        var low = decoded
        low.cfgScale = 1.5
        #expect(error { try endpoint.validate(low) } == RequestValidationError(
            code: "out_of_range", field: "cfg_scale", message: "cfg_scale must be between 2.0 and 11.0, got 1.5."))
        low = decoded
        low.width = 512
        #expect(error { try endpoint.validate(low) }?.field == "width")
    }

    @Test("each task has its own ranges, from the configuration")
    func perTaskRanges() throws {
        let plugin = try VisionPlugin()
        func t2i(_ model: String, steps: Int, cfg: Double) -> RequestValidationError? {
            error { try plugin.textToImage.validate(TextToImageRequest(prompt: "x", steps: steps, cfgScale: cfg, width: 512, height: 512, model: model)) }
        }
        #expect(t2i("proteus-text-to-image", steps: 12, cfg: 4) == nil)
        #expect(t2i("flux-schnell-text-to-image", steps: 12, cfg: 4)?.field == "steps")
        #expect(t2i("flux-schnell-text-to-image", steps: 4, cfg: 4)?.field == "steps")
        #expect(t2i("flux-schnell-text-to-image", steps: 5, cfg: 5) == nil)
        #expect(t2i("proteus-text-to-image", steps: 8, cfg: 5)?.field == "cfg_scale")

        var configuration = VisionConfiguration()
        configuration.models[0].imageToImage = GenerationLimits(steps: 20...30, cfgScale: 5...7, sizes: 768...1024)
        configuration.avatar = GenerationLimits(steps: 8...8, cfgScale: 1...2, sizes: 640...640)
        let custom = try VisionPlugin(configuration: configuration)
        let i2i = ImageToImageRequest(initImage: Self.image, prompt: "x", steps: 25, cfgScale: 6, width: 768, height: 1024,
                                      model: "proteus-image-to-image")
        #expect(error { try custom.imageToImage.validate(i2i) } == nil)
        var small = i2i
        small.width = 512
        #expect(error { try custom.imageToImage.validate(small) } == RequestValidationError(
            code: "out_of_range", field: "width", message: "width must be a multiple of 64 between 768 and 1024, got 512."))
        let avatar = AvatarRequest(initImage: Self.image, prompt: "x", steps: 8, cfgScale: 1, width: 640, height: 640)
        #expect(error { try custom.avatar.validate(avatar) } == nil)
        var tall = avatar
        tall.height = 704
        #expect(error { try custom.avatar.validate(tall) }?.field == "height")

        var broken = VisionConfiguration()
        broken.inpaint.minSteps = 40  // above maxSteps
        #expect(throws: VisionConfigurationError.self) { try VisionPlugin(configuration: broken) }
        broken = VisionConfiguration()
        broken.models = [ImageModel(name: "proteus_text_to_image", steps: 6...12, cfgScale: 1...4)]
        #expect(throws: VisionConfigurationError.self) { try VisionPlugin(configuration: broken) }
    }

    @Test("avatar: defaults as Subnet 19's API, strengths and sizes checked")
    func avatar() throws {
        let endpoint = try VisionPlugin().avatar
        let decoded = try JSONDecoder().decode(AvatarRequest.self, from: Data(#"{"prompt":"a knight","init_image":"\#(Self.image)"}"#.utf8))
        #expect(decoded.steps == 10 && decoded.cfgScale == 3 && decoded.width == 1024 && decoded.height == 1024)
        #expect(decoded.ipadapterStrength == 0.5 && decoded.controlStrength == 0.5 && decoded.negativePrompt == "")
        #expect(error { try endpoint.validate(decoded) } == nil)
        var bad = decoded
        bad.ipadapterStrength = 0.1
        #expect(error { try endpoint.validate(bad) }?.field == "ipadapter_strength")
        bad = decoded
        bad.controlStrength = 1.5
        #expect(error { try endpoint.validate(bad) }?.field == "control_strength")
        bad = decoded
        bad.width = 512
        #expect(error { try endpoint.validate(bad) }?.field == "width")
        bad = decoded
        bad.initImage = "not base64!"
        #expect(error { try endpoint.validate(bad) }?.field == "init_image")
    }

    @Test("synthetic requests stay inside each task's ranges", arguments: MinerWireFormat.allCases)
    func synthetic(format: MinerWireFormat) throws {
        var configuration = VisionConfiguration(minerWireFormat: format)
        configuration.syntheticImageSize = 32
        configuration.maxSyntheticSide = 64
        let plugin = try VisionPlugin(configuration: configuration)
        var context = SyntheticContext(random: OrganicRandom(seed: 9))
        for _ in 0..<25 {
            let t2i = try #require(plugin.textToImage.makeSyntheticRequest(context: &context))
            #expect(error { try plugin.textToImage.validate(t2i) } == nil)
            let i2i = try #require(plugin.imageToImage.makeSyntheticRequest(context: &context))
            #expect(error { try plugin.imageToImage.validate(i2i) } == nil)
            #expect(i2i.model.hasSuffix("-image-to-image"))
            let inpaint = try #require(plugin.inpaint.makeSyntheticRequest(context: &context))
            #expect(error { try plugin.inpaint.validate(inpaint) } == nil)
            #expect((inpaint.model == "inpaint") == (format == .nineteen))
            let avatar = try #require(plugin.avatar.makeSyntheticRequest(context: &context))
            #expect(error { try plugin.avatar.validate(avatar) } == nil)
            #expect(configuration.avatar.sizes.contains(avatar.width) && configuration.avatar.steps.contains(avatar.steps))
        }
    }
}
