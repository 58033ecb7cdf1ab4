import Foundation
import OrganicFramework
import OrganicTestKit
import Testing
@testable import VisionPlugin

/// A node and reference miners speaking the nineteen wire format over loopback HTTP, and the
/// Subnet 19 client spellings through a node in either format.
@Suite("Vision: nineteen format through the node", .serialized)
struct NineteenNodeTests {
    static let face = VisionTestImages.png(VisionTestImages.picture(96, 96))

    func image(_ reply: TestHTTPClient.Reply) throws -> RGBImage {
        let bytes = try #require(Data(base64Encoded: try reply.decode(ImageResponse.self).imageB64 ?? ""))
        return try ImageCodec.decode([UInt8](bytes))
    }

    /// Built outside the async test body: a mutated copy of the large configuration in the
    /// async frame reached the node zeroed with Swift 6.3 (a miscompile).
    static func configuration() -> NodeConfiguration {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        configuration.dispatch.minerProtocol = .unsigned   // the reference miners here speak plain JSON; nineteen mode defaults to fiber/1
        return configuration
    }

    @Test("nineteen miners: task names, inpaint without model, avatar, capacity per task; every answer scored")
    func nineteenRoundTrip() async throws {
        let configuration = Self.configuration()
        let plugin = try VisionPlugin(configuration: VisionConfiguration(minerWireFormat: .nineteen))
        try await PluginHarness.run(plugins: [plugin], miners: PluginHarness.honestMiners(2), configuration: configuration) { net in
            let t2i = try await net.post("/v1/text-to-image", raw: Data(
                #"{"prompt":"a fox","model":"proteus_text_to_image","steps":8,"cfg_scale":2,"width":512,"height":576}"#.utf8))
            #expect(t2i.status == 200)
            #expect(try image(t2i).height == 576)

            let i2i = try await net.post("/v1/image-to-image", raw: Data(
                #"{"prompt":"a fox","model":"proteus_image_to_image","init_image":"\#(Self.face)","steps":8,"cfg_scale":2,"width":512,"height":512}"#.utf8))
            #expect(i2i.status == 200)

            var mask = RGBImage(width: 96, height: 96)
            SyntheticMask.fillDisc(&mask, cx: 40, cy: 40, r: 20)
            let inpaint = try await net.post("/v1/inpaint", raw: Data(
                #"{"prompt":"a door","init_image":"\#(Self.face)","mask":"\#(VisionTestImages.png(mask))","steps":8,"cfg_scale":3,"width":520,"height":520}"#.utf8))
            #expect(inpaint.status == 200)
            #expect(try image(inpaint).width == 520)

            let avatar = try await net.post("/v1/avatar", json: AvatarRequest(initImage: Self.face, prompt: "a knight", steps: 8, width: 576, height: 640))
            #expect(avatar.status == 200)
            #expect(try image(avatar).height == 640)

            let tooFew = try await net.post("/v1/text-to-image", raw: Data(
                #"{"prompt":"a fox","model":"flux_schnell_text_to_image","steps":4,"width":512,"height":512}"#.utf8))
            #expect(tooFew.status == 400 && tooFew.errorField == "steps")

            let rounds = try await net.waitForRounds(atLeast: 4)
            #expect(rounds.allSatisfy { round in round.results.allSatisfy { ($0.score ?? 0) > 0.9 } })

            // The reference miners declared capacity per nineteen task; the node schedules it per model.
            var declared: [String] = []
            for _ in 0..<500 {
                let report = try await net.admin("/admin/miners").decode(MinersReport.self)
                declared = report.miners.flatMap(\.endpoints).filter { $0.source == "declared" }.map(\.endpoint)
                if declared.contains("text-to-image/proteus-text-to-image") { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(declared.contains("text-to-image/proteus-text-to-image"))
            #expect(declared.contains("image-to-image/flux-schnell-image-to-image"))
            #expect(declared.contains("avatar") && declared.contains("inpaint"))
        }
    }

    @Test("Organic format: avatar end to end and Subnet 19 spellings keep working beside the old names")
    func organicAvatar() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        configuration.dispatch.minerProtocol = .unsigned   // the reference miners here speak plain JSON; nineteen mode defaults to fiber/1
        try await PluginHarness.run(plugins: [try VisionPlugin()], miners: PluginHarness.honestMiners(2), configuration: configuration) { net in
            let avatar = try await net.post("/v1/avatar", raw: Data(
                #"{"prompt":"a knight","init_image":"\#(Self.face)","steps":8,"width":576,"height":576,"ipadapter_strength":0.7}"#.utf8))
            #expect(avatar.status == 200)
            #expect(try image(avatar).width == 576)
            let nsfw = try await net.post("/v1/avatar", json: AvatarRequest(initImage: Self.face, prompt: "nsfw knight", steps: 8, width: 576, height: 576))
            #expect(nsfw.status == 403 && nsfw.errorCode == "nsfw_content")
            let bad = try await net.post("/v1/avatar", raw: Data(#"{"prompt":"a knight","init_image":"\#(Self.face)","control_strength":2}"#.utf8))
            #expect(bad.status == 400 && bad.errorField == "control_strength")

            let i2i = try await net.post("/v1/image-to-image", raw: Data(
                #"{"prompt":"a fox","model":"dreamshaper_image_to_image","init_image":"\#(Self.face)","steps":8,"cfg_scale":2,"width":512,"height":512}"#.utf8))
            #expect(i2i.status == 200)
            let models = String(decoding: try await net.get("/v1/models").body, as: UTF8.self)
            #expect(models.contains("proteus-image-to-image") && models.contains("avatar"))

            let rounds = try await net.waitForRounds(atLeast: 3)
            #expect(rounds.allSatisfy { round in round.results.allSatisfy { ($0.score ?? 0) > 0.9 } })
        }
    }
}
