import Foundation
import OrganicPluginAPI
import Testing
@testable import VisionPlugin

/// The nineteen wire format, key for key as nineteen's `core/models/payload_models.py` and
/// `utility_models.ImageHashes` name them (hand-written fixtures, not captured traffic).
@Suite("Vision: nineteen wire format")
struct NineteenWireFormatTests {
    static let nineteen = VisionConfiguration(minerWireFormat: .nineteen)
    static let image = VisionTestImages.png(VisionTestImages.picture(64, 64))

    /// What a miner receives for `request`: the endpoint's miner request after perturbation.
    func sent<E: Endpoint>(_ endpoint: E, _ request: E.Request) throws -> [String: Any] {
        var context = PerturbationContext(random: OrganicRandom(seed: 1), seeds: SeedRange(validatorUID: 7))
        var mapped = endpoint.minerRequest(for: request, context: &context)
        endpoint.perturb(&mapped, context: &context)
        return try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(mapped)) as? [String: Any])
    }

    static let generation: Set<String> = ["prompt", "negative_prompt", "seed", "steps", "cfg_scale", "width", "height"]

    @Test("text-to-image: TextToImagePayload keys, the task name as model, a validator seed")
    func textToImage() throws {
        let plugin = try VisionPlugin(configuration: Self.nineteen)
        let object = try sent(plugin.textToImage, TextToImageRequest(prompt: "a fox", steps: 8, cfgScale: 2, width: 512, height: 512,
                                                                      model: "flux_schnell_text_to_image", seed: 1))
        #expect(Set(object.keys) == Self.generation.union(["model"]))
        #expect(object["model"] as? String == "flux-schnell-text-to-image")
        let seed = try #require(object["seed"] as? Int)
        #expect((700_000..<800_000).contains(seed))
    }

    @Test("image-to-image: ImageToImagePayload keys and the per-operation task name, from either spelling")
    func imageToImage() throws {
        let plugin = try VisionPlugin(configuration: Self.nineteen)
        for name in ["proteus_image_to_image", "proteus-image-to-image", "proteus-text-to-image"] {
            let object = try sent(plugin.imageToImage, ImageToImageRequest(initImage: Self.image, prompt: "a fox", steps: 8, cfgScale: 2,
                                                                            width: 512, height: 512, model: name))
            #expect(Set(object.keys) == Self.generation.union(["model", "init_image", "image_strength"]))
            #expect(object["model"] as? String == "proteus-image-to-image", "\(name)")
        }
        // The Organic format keeps sending the engine's name.
        let organic = try sent(try VisionPlugin().imageToImage, ImageToImageRequest(initImage: Self.image, prompt: "a fox", model: "proteus_image_to_image"))
        #expect(organic["model"] as? String == "proteus-text-to-image")
    }

    @Test("inpaint: InpaintPayload keys (mask_image, no model, no image_strength); Organic keeps mask and model")
    func inpaint() throws {
        let request = InpaintRequest(initImage: Self.image, mask: "MASK", prompt: "a door", steps: 8, cfgScale: 3, width: 520, height: 520)
        let object = try sent(try VisionPlugin(configuration: Self.nineteen).inpaint, request)
        #expect(Set(object.keys) == Self.generation.union(["init_image", "mask_image"]))
        #expect(object["mask_image"] as? String == "MASK")

        let organic = try sent(try VisionPlugin().inpaint, request)
        #expect(Set(organic.keys) == Self.generation.union(["model", "init_image", "mask", "image_strength"]))
        #expect(organic["model"] as? String == "inpaint")

        // A nineteen payload decodes (as a miner reads it), mask_image included.
        let json = #"{"prompt":"p","negative_prompt":null,"seed":5,"steps":8,"cfg_scale":2.0,"width":1016,"height":1016,"init_image":"I","mask_image":"M"}"#
        let decoded = try JSONDecoder().decode(InpaintRequest.self, from: Data(json.utf8))
        #expect(decoded.mask == "M" && decoded.negativePrompt == "" && decoded.wireFormat == .nineteen && decoded.model == "inpaint" && decoded.seed == 5)
    }

    @Test("avatar: AvatarPayload keys, no cfg_scale and no model")
    func avatar() throws {
        let request = AvatarRequest(initImage: Self.image, prompt: "a knight", steps: 8, width: 576, height: 576)
        let object = try sent(try VisionPlugin(configuration: Self.nineteen).avatar, request)
        #expect(Set(object.keys) == ["prompt", "negative_prompt", "seed", "steps", "width", "height", "ipadapter_strength", "control_strength",
                                     "init_image"])
        #expect(object["ipadapter_strength"] as? Double == 0.5 && object["control_strength"] as? Double == 0.5)
        let organic = try sent(try VisionPlugin().avatar, request)
        #expect(Set(organic.keys) == Set(object.keys).union(["cfg_scale"]))
    }

    @Test("answers: ImageResponse with clip_embeddings and the four *_hash keys, read and written")
    func response() throws {
        let embedding = (0..<512).map { Float($0 % 7) / 7 + 0.01 }
        let hashes = #"{"average_hash":"ffff000000000000","perceptual_hash":"c3c3c3c3c3c3c3c3","difference_hash":"0f0f0f0f0f0f0f0f","color_hash":"07000000000"}"#
        let json = #"{"image_b64":null,"is_nsfw":true,"clip_embeddings":\#(embedding),"image_hashes":\#(hashes)}"#
        let response = try JSONDecoder().decode(ImageResponse.self, from: Data(json.utf8))
        #expect(response.wireFormat == .nineteen && response.flaggedNSFW && response.imageB64 == nil)
        #expect(response.clipEmbedding == embedding)
        #expect(response.imageHashes?.perceptual == "c3c3c3c3c3c3c3c3" && response.imageHashes?.color == "07000000000")
        let plugin = try VisionPlugin(configuration: Self.nineteen)
        let request = TextToImageRequest(prompt: "p", steps: 8, cfgScale: 2, width: 512, height: 512, model: "proteus-text-to-image")
        #expect(throws: Never.self) { try plugin.textToImage.validate(response: response, for: request) }

        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(response)) as? [String: Any])
        #expect(Set(object.keys) == ["is_nsfw", "clip_embeddings", "image_hashes"])
        let written = try #require(object["image_hashes"] as? [String: String])
        #expect(Set(written.keys) == ["average_hash", "perceptual_hash", "difference_hash", "color_hash"])

        var organic = response
        organic.wireFormat = .organic
        let organicObject = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(organic)) as? [String: Any])
        #expect(Set(organicObject.keys) == ["is_nsfw", "clip_embedding", "image_hashes"])
        #expect(Set((organicObject["image_hashes"] as? [String: String] ?? [:]).keys) == ["average_hash", "phash", "dhash", "colorhash"])
    }

    @Test("reference miners answer in the configured format; callers still get only image_b64")
    func minerAnswers() async throws {
        let plugin = try VisionPlugin(configuration: Self.nineteen)
        let request = TextToImageRequest(prompt: "a fox", steps: 8, cfgScale: 2, width: 64, height: 64, model: "proteus-text-to-image", seed: 3)
        let answer = try await TextToImageMiner(endpoint: plugin.textToImage, noiseSeed: 1).respond(to: request, context: .init())
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(answer)) as? [String: Any])
        #expect(Set(object.keys) == ["image_b64", "is_nsfw", "clip_embeddings"])
        let caller = try plugin.textToImage.responseForCaller(answer, to: request, caller: request)
        let callerObject = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(caller)) as? [String: Any])
        #expect(Set(callerObject.keys) == ["image_b64"])
    }

    @Test("capacity: {task_configs: [...]} out, {task: volume} back to scheduling keys")
    func capacity() throws {
        let plugin = try VisionPlugin(configuration: Self.nineteen)
        let declaration = try #require(plugin.capacityDeclaration)
        #expect(declaration.minerPath == "/capacity")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(declaration.requestBody)) as? [String: Any])
        let configs = try #require(body["task_configs"] as? [[String: Any]])
        // Every key nineteen's miner reads from a task config.
        for config in configs {
            #expect(Set(config.keys) == ["task", "task_type", "max_capacity", "model_config", "endpoint", "weight", "timeout"])
        }
        #expect(Set(configs.compactMap { $0["task"] as? String }) == [
            "proteus-text-to-image", "proteus-image-to-image", "flux-schnell-text-to-image", "flux-schnell-image-to-image",
            "dreamshaper-text-to-image", "dreamshaper-image-to-image", "inpaint", "avatar"])
        #expect(configs.first { $0["task"] as? String == "avatar" }?["endpoint"] as? String == "/avatar")

        let answer = #"{"miner_type":"image","proteus-text-to-image":80.0,"flux-schnell-image-to-image":2100,"inpaint":1600.5,"avatar":0,"chat-llama-3-2-3b":9000}"#
        let declared = try declaration.decode(Array(answer.utf8))
        #expect(declared == ["text-to-image/proteus-text-to-image": 1, "image-to-image/flux-schnell-image-to-image": 3, "inpaint": 3, "avatar": 0])
        #expect(try declaration.decode(Array(#"{"avatar":-5}"#.utf8)) == ["avatar": -1])
        #expect(throws: (any Error).self) { try declaration.decode(Array("[1]".utf8)) }

        // The reference miner's answer, in nineteen's shape, reads back as what it serves.
        let written = try declaration.encode(["text-to-image": 4, "avatar": 2])
        let writtenObject = try #require(try JSONSerialization.jsonObject(with: Data(written)) as? [String: Any])
        #expect(writtenObject["miner_type"] as? String == "image")
        #expect(writtenObject["proteus-text-to-image"] as? Double == 3200)
        let back = try declaration.decode(written)
        #expect(back["text-to-image/dreamshaper-text-to-image"] == 4 && back["avatar"] == 2 && back["inpaint"] == nil)

        // The Organic format keeps `{}` and `{"capacities": ...}`.
        let organic = try #require(try VisionPlugin().capacityDeclaration)
        #expect(organic.requestBody == Array("{}".utf8))
    }

    @Test("the setting: stable strings, default organic, unknown values refused")
    func setting() throws {
        let decode = { (json: String) in try JSONDecoder().decode(VisionConfiguration.self, from: Data(json.utf8)) }
        #expect(try decode("{}").minerWireFormat == .organic)
        #expect(try decode(#"{"minerWireFormat":"nineteen"}"#).minerWireFormat == .nineteen)
        #expect(MinerWireFormat.allCases.map(\.rawValue) == ["organic", "nineteen"])
        #expect(throws: DecodingError.self) { try decode(#"{"minerWireFormat":"fiber"}"#) }
        let plugin = try VisionPlugin(configuration: Self.nineteen)
        #expect(plugin.textToImage.descriptor.routesByModel && plugin.imageToImage.descriptor.routesByModel)
        let organic = try VisionPlugin()
        #expect(!plugin.inpaint.descriptor.routesByModel && !organic.textToImage.descriptor.routesByModel)
        #expect(plugin.endpoints.map(\.descriptor.minerPath).contains("/avatar"))
    }
}
