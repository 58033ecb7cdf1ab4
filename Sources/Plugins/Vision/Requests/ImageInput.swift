import Foundation
import OrganicPluginAPI

/// Turns a caller's base64 image field into pixels, or into a 400 that names the field.
///
/// Order of checks: empty, base64 length, base64 alphabet, then the codec (magic bytes, header
/// dimensions against the pixel limit, and only then the decode), so a small body claiming a
/// huge image never allocates its pixels.
enum ImageInput {
    /// Accepts plain base64 or a `data:image/...;base64,` URL, as browser clients send.
    static func bytes(_ text: String, field: String, maxLength: Int) throws(RequestValidationError) -> [UInt8] {
        var body = Substring(text)
        if body.hasPrefix("data:"), let comma = body.firstIndex(of: ",") {
            body = body[body.index(after: comma)...]
        }
        guard !body.allSatisfy(\.isWhitespace) else {
            throw RequestValidationError(code: "empty_image", field: field, message: "\(field) is empty; send a base64-encoded PNG or JPEG.")
        }
        guard body.utf8.count <= maxLength else {
            throw RequestValidationError(
                code: "image_too_large", field: field,
                message: "\(field) is \(body.utf8.count) base64 characters; at most \(maxLength) are allowed.")
        }
        guard let decoded = Base64Text.decode(body), !decoded.isEmpty else {
            throw RequestValidationError(code: "invalid_base64", field: field, message: "\(field) is not valid base64.")
        }
        return decoded
    }

    /// Decodes a caller's image, mapping every codec failure to a 400 for `field`.
    static func decode(_ text: String, field: String, configuration: VisionConfiguration) throws(RequestValidationError) -> RGBImage {
        try decoding(text, field: field, configuration: configuration, ImageCodec.decode(_:limits:))
    }

    /// Checks that a caller's image decodes, with the same 400s as ``decode(_:field:configuration:)``,
    /// without keeping its pixels (for endpoints that pass the image on untouched).
    static func check(_ text: String, field: String, configuration: VisionConfiguration) throws(RequestValidationError) {
        _ = try decoding(text, field: field, configuration: configuration, ImageCodec.verify(_:limits:))
    }

    /// Decodes a caller's image losslessly (its own colour type and bit depth, as perturbation
    /// needs it), with the same checks and 400s as ``decode(_:field:configuration:)``.
    static func decodeRaster(_ text: String, field: String, configuration: VisionConfiguration) throws(RequestValidationError) -> PNGRaster {
        try decoding(text, field: field, configuration: configuration, LosslessImageReader.read(_:limits:))
    }

    /// The base64 checks, then `decode` within the input limits, every failure a 400 for `field`.
    private static func decoding<Image>(_ text: String, field: String, configuration: VisionConfiguration,
                                        _ decode: ([UInt8], ImageLimits) throws(ImageDecodingError) -> Image) throws(RequestValidationError) -> Image {
        let raw = try bytes(text, field: field, maxLength: configuration.maxImageBase64Length)
        do {
            return try decode(raw, configuration.inputLimits)
        } catch {
            throw RequestValidationError(code: error.code, field: field, message: "\(field): \(error.message).")
        }
    }

    /// Decodes without the caller-facing wrapping, for miners and perturbation (input already validated).
    static func decodeTrusted(_ text: String) -> RGBImage? {
        var body = Substring(text)
        if body.hasPrefix("data:"), let comma = body.firstIndex(of: ",") { body = body[body.index(after: comma)...] }
        guard let data = Base64Text.decode(body) else { return nil }
        return try? ImageCodec.decode(data, limits: .largest)
    }

    /// Lossless PNG as base64.
    static func encodePNG(_ image: RGBImage) -> String {
        guard let png = try? ImageCodec.encodePNG(image) else { return "" }
        return Data(png).base64EncodedString()
    }
}
