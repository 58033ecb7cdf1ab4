/// Why an in-memory image could not be encoded (malformed `RGBImage`,
/// unencodable size, or a codec library failure). Encoding only sees our own
/// images, so this is a programming/resource error rather than bad input.
package struct ImageEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    package var code: String
    package var message: String

    package init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// Pixel buffer size does not match the dimensions, or a side is zero.
    static func invalidImage(_ message: String) -> ImageEncodingError {
        ImageEncodingError(code: "invalid_image", message: message)
    }

    /// The underlying C library reported a failure.
    static func encoderFailed(_ message: String) -> ImageEncodingError {
        ImageEncodingError(code: "encoder_failed", message: message)
    }

    package var description: String { "\(code): \(message)" }
}
