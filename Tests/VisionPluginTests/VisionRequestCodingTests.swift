import Foundation
import Testing
import VisionPlugin

/// Generation requests keep the subnet's flat JSON: the shared fields sit beside the
/// endpoint's own fields, absent ones take the documented defaults, and nothing is nested.
@Suite("Vision request JSON")
struct VisionRequestCodingTests {
    static let shared: Set<String> = ["prompt", "negative_prompt", "steps", "cfg_scale", "width", "height", "model"]

    func roundTrip<R: GenerationRequest>(_ type: R.Type, _ json: String) throws -> (R, [String: Any], R) {
        let request = try JSONDecoder().decode(R.self, from: Data(json.utf8))
        let encoded = try JSONEncoder().encode(request)
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        return (request, object, try JSONDecoder().decode(R.self, from: encoded))
    }

    @Test("text-to-image: defaults filled in, keys flat, round trip exact")
    func textToImage() throws {
        let (request, object, again) = try roundTrip(TextToImageRequest.self, #"{"prompt":"x","model":"m"}"#)
        #expect(request == TextToImageRequest(prompt: "x", model: "m"))
        #expect(request.negativePrompt == "" && request.steps == 10 && request.cfgScale == 3)
        #expect(request.width == 1024 && request.height == 1024 && request.seed == nil)
        #expect(Set(object.keys) == Self.shared)
        #expect(object["negative_prompt"] as? String == "")
        #expect(object["cfg_scale"] as? Double == 3)
        #expect(object["width"] as? Int == 1024)
        #expect(again == request)
    }

    @Test("image-to-image, inpaint and scribble add their own keys beside the shared ones")
    func imageRequests() throws {
        let (i2i, i2iObject, i2iAgain) = try roundTrip(ImageToImageRequest.self, #"{"prompt":"x","model":"m","init_image":"i"}"#)
        #expect(Set(i2iObject.keys) == Self.shared.union(["init_image", "image_strength"]))
        #expect(i2i.imageStrength == 0.5 && i2iAgain == i2i)

        let (inpaint, inpaintObject, inpaintAgain) = try roundTrip(
            InpaintRequest.self, #"{"prompt":"x","model":"m","init_image":"i","mask":"k"}"#)
        #expect(Set(inpaintObject.keys) == Self.shared.union(["init_image", "mask", "image_strength"]))
        #expect(inpaint.imageStrength == 1 && inpaintAgain == inpaint)

        let (scribble, scribbleObject, scribbleAgain) = try roundTrip(ScribbleRequest.self, #"{"prompt":"x","model":"m","init_image":"i"}"#)
        #expect(Set(scribbleObject.keys) == Self.shared.union(["init_image"]))
        #expect(scribbleAgain == scribble)
    }

    @Test("an assigned seed is written flat; given values survive the round trip")
    func seedAndValues() throws {
        let json = #"{"prompt":"p","negative_prompt":"n","steps":20,"cfg_scale":7.5,"width":512,"height":768,"model":"m","init_image":"i","seed":42}"#
        let (request, object, again) = try roundTrip(ScribbleRequest.self, json)
        #expect(request == ScribbleRequest(initImage: "i", prompt: "p", negativePrompt: "n", steps: 20, cfgScale: 7.5,
                                           width: 512, height: 768, model: "m", seed: 42))
        #expect(Set(object.keys) == Self.shared.union(["init_image", "seed"]))
        #expect(object["seed"] as? Int == 42)
        #expect(again == request)
    }

    @Test("a missing required field is still reported")
    func missingFields() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TextToImageRequest.self, from: Data(#"{"model":"m"}"#.utf8)) }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(InpaintRequest.self, from: Data(#"{"prompt":"x","model":"m","init_image":"i"}"#.utf8))
        }
    }
}
