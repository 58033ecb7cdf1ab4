import CLibPNG

/// PNG header parsing, and 8-bit RGB encoding via libpng's simplified API (`png_image_*`),
/// which contains libpng's longjmp-based error handling internally and reports failures
/// through return values and `png_image.message`. Decoding is ``PNGDecoder``'s: libpng's
/// simplified reader converts colour types and bit depths, which the plugin must not do.
enum PNGCodec {
    /// Bytes needed to reach the end of the IHDR chunk (signature + chunk
    /// header + 13 data bytes + CRC).
    static let minimumHeaderBytes = 8 + 8 + 13 + 4

    /// Parses IHDR by hand so limits can be applied before libpng sees the
    /// stream (libpng itself accepts up to 1,000,000 pixels per side).
    static func readHeader(_ bytes: [UInt8]) throws(ImageDecodingError) -> (width: Int, height: Int) {
        guard bytes.count >= minimumHeaderBytes else {
            throw ImageDecodingError(.truncatedImage, "PNG ends before its IHDR chunk is complete")
        }
        let length = bigEndianUInt32(bytes, at: 8)
        let isIHDR = bytes[12] == 0x49 && bytes[13] == 0x48 && bytes[14] == 0x44 && bytes[15] == 0x52
        guard isIHDR, length == 13 else {
            throw ImageDecodingError(.corruptImage, "PNG does not start with a valid IHDR chunk")
        }
        let width = bigEndianUInt32(bytes, at: 16)
        let height = bigEndianUInt32(bytes, at: 20)
        // The PNG spec caps both sides at 2^31 - 1; zero is invalid.
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw ImageDecodingError(.corruptImage, "PNG IHDR has invalid dimensions \(width)x\(height)")
        }
        return (Int(width), Int(height))
    }

    static func encode(_ image: RGBImage, fast: Bool) throws(ImageEncodingError) -> [UInt8] {
        guard image.isWellFormed, image.width > 0, image.height > 0 else {
            throw .invalidImage("cannot encode a \(image.width)x\(image.height) image with \(image.pixels.count) bytes")
        }
        guard let width = UInt32(exactly: image.width), let height = UInt32(exactly: image.height),
              Int32(exactly: image.width * 3) != nil
        else {
            throw .invalidImage("image is too large for PNG encoding")
        }

        var control = png_image()
        control.version = ORGANIC_PNG_IMAGE_VERSION
        control.opaque = nil
        control.width = width
        control.height = height
        control.format = ORGANIC_PNG_FORMAT_RGB
        control.flags = fast ? ORGANIC_PNG_IMAGE_FLAG_FAST : 0
        defer { png_image_free(&control) }

        // Allocate the worst case up front: one compression pass, no retries.
        let capacity = Int(organic_png_image_png_size_max(&control))
        var written = 0
        var failure: String?
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, initialized in
            var size = png_alloc_size_t(capacity)
            let ok = image.pixels.withUnsafeBytes { src in
                png_image_write_to_memory(&control, out.baseAddress, &size, 0, src.baseAddress, 0, nil)
            }
            if ok != 0, Int(size) <= capacity {
                written = Int(size)
            } else {
                failure = message(of: control)
            }
            initialized = written
        }
        if let failure {
            throw .encoderFailed("libpng: \(failure)")
        }
        return output
    }

    /// The NUL-terminated `message` field of a png_image.
    static func message(of control: png_image) -> String {
        withUnsafeBytes(of: control.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "unknown libpng error" : text
        }
    }

    static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
