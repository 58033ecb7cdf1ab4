import Foundation
import OrganicPluginAPI

/// What every reference image miner does with its picture: hardware-like noise, PNG, the
/// reward features, and the NSFW flag.
struct GeneratedImageAnswer {
    let noiseSeed: UInt64?
    let nsfwWords: [String]
    /// The format of the answer, the plugin's configured miner wire format.
    let wireFormat: MinerWireFormat

    /// A flagged answer carries no image but the hashes and embedding the reward needs.
    func respond(with image: RGBImage, seed: UInt64, prompt: String?) throws -> ImageResponse {
        var image = image
        if let noiseSeed {
            ProceduralImageGenerator.addHardwareNoise(&image, noiseSeed: noiseSeed ^ seed)
        }
        let embedding = PseudoClipEmbedding.embed(image)
        if let prompt, Self.isNSFW(prompt, words: nsfwWords) {
            return ImageResponse(imageB64: nil, isNSFW: true, imageHashes: ImagehashCompatibleHashing().hashes(of: image),
                                 clipEmbedding: embedding, wireFormat: wireFormat)
        }
        let png = try ImageCodec.encodePNG(image)
        return ImageResponse(imageB64: Data(png).base64EncodedString(), isNSFW: false, clipEmbedding: embedding, wireFormat: wireFormat)
    }

    /// The reference miner's stand-in for a safety checker: a listed word in the prompt.
    static func isNSFW(_ prompt: String, words: [String]) -> Bool {
        guard !words.isEmpty else { return false }
        let promptWords = Set(PromptWords.words(in: prompt))
        return words.contains { promptWords.contains(Array($0.lowercased().utf8)) }
    }

    /// The init image for generation at the requested size (black when it cannot be decoded).
    static func input(_ b64: String, width: Int, height: Int) -> RGBImage {
        let decoded = ImageInput.decodeTrusted(b64) ?? RGBImage(width: width, height: height)
        return ImageResampler.resize(decoded, width: width, height: height)
    }
}

extension GeneratedImageAnswer {
    /// An answer in the plugin's wire format, flagging its NSFW words.
    init(noiseSeed: UInt64?, configuration: VisionConfiguration) {
        self.init(noiseSeed: noiseSeed, nsfwWords: configuration.referenceNSFWWords, wireFormat: configuration.minerWireFormat)
    }
}
