/// Why an untrusted encoded image was rejected.
///
/// `code` is a stable machine-readable string (safe to return to miners and
/// to match in tests); `message` is human-readable detail and may change.
package struct ImageDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    package var code: String
    package var message: String

    package init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The stable codes this module throws.
    package enum Code: String, Sendable, CaseIterable {
        /// Zero bytes were supplied.
        case emptyImage = "empty_image"
        /// Magic bytes match neither PNG nor JPEG, or the codec refuses a variant (e.g. an unsupported JPEG process).
        case unsupportedFormat = "unsupported_format"
        /// The stream ends before the image data does.
        case truncatedImage = "truncated_image"
        /// The stream is structurally invalid.
        case corruptImage = "corrupt_image"
        /// Encoded size or one side exceeds `ImageLimits`.
        case imageTooLarge = "image_too_large"
        /// `width * height` exceeds `ImageLimits.maxPixels`.
        case imageTooManyPixels = "image_too_many_pixels"
        /// The codec library could not allocate its decoder (resource exhaustion, not bad input).
        case decoderUnavailable = "decoder_unavailable"
    }

    init(_ code: Code, _ message: String) {
        self.code = code.rawValue
        self.message = message
    }

    package var description: String { "\(code): \(message)" }
}
