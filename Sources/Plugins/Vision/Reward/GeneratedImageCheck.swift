import Foundation
import OrganicPluginAPI

/// Checks that a miner's image is a decodable image of the requested size.
enum GeneratedImageCheck {
    static func decode(_ response: ImageResponse) -> RGBImage? {
        guard let data = Data(base64Encoded: response.imageB64) else { return nil }
        return try? ImageCodec.decode([UInt8](data))
    }

    static func validate(_ response: ImageResponse, width: Int, height: Int) throws(ResponseValidationError) {
        guard let data = Data(base64Encoded: response.imageB64) else { throw ResponseValidationError("image_b64 is not base64") }
        let image: RGBImage
        do { image = try ImageCodec.decode([UInt8](data)) } catch {
            throw ResponseValidationError("image does not decode: \(error.message)")
        }
        guard image.width == width, image.height == height else {
            throw ResponseValidationError("image is \(image.width)x\(image.height), expected \(width)x\(height)")
        }
    }
}
