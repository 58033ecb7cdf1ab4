import CTurboJPEG

/// JPEG support via TurboJPEG, whose calls return error codes (never exit)
/// and keep libjpeg's setjmp handling on the C side.
enum JPEGCodec {
    /// Chroma layout for encoding.
    enum Chroma: Sendable {
        /// 2x2 chroma subsampling: the common default (Pillow, browsers).
        case subsampled420
        /// Full-resolution chroma: larger, sharper colour edges.
        case full444
        /// Single luma channel (colour is discarded).
        case grayscale

        var turboValue: Int32 {
            switch self {
            case .subsampled420: Int32(TJSAMP_420.rawValue)
            case .full444: Int32(TJSAMP_444.rawValue)
            case .grayscale: Int32(TJSAMP_GRAY.rawValue)
            }
        }
    }

    struct Header {
        var width: Int
        var height: Int
        var colorspace: Int32
    }

    /// Strict decoding: a warning (e.g. premature end of data) aborts the
    /// decode instead of yielding a half-grey image, and progressive files
    /// with absurd scan counts are refused (CPU exhaustion guard).
    static let decodeFlags = ORGANIC_TJFLAG_ACCURATEDCT | ORGANIC_TJFLAG_STOPONWARNING | ORGANIC_TJFLAG_LIMITSCANS

    static func readHeader(_ bytes: [UInt8]) throws(ImageDecodingError) -> Header {
        guard let handle = tjInitDecompress() else {
            throw ImageDecodingError(.decoderUnavailable, "tjInitDecompress failed")
        }
        defer { tjDestroy(handle) }
        return try readHeader(bytes, handle: handle)
    }

    static func readHeader(_ bytes: [UInt8], handle: tjhandle) throws(ImageDecodingError) -> Header {
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let rc = bytes.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(
                handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling, &colorspace)
        }
        // libjpeg's memory source pads a short stream with a fake EOI, so a
        // header cut short may "succeed" with 0x0 or fail with a generic
        // structure error; walk the markers to report truncation precisely.
        guard rc == 0, width > 0, height > 0 else {
            if markerLayout(bytes) == .endsBeforeScan {
                throw ImageDecodingError(.truncatedImage, "JPEG ends before its first scan")
            }
            if rc != 0 { throw classify(errorMessage(handle)) }
            throw ImageDecodingError(.corruptImage, "JPEG header has invalid dimensions \(width)x\(height)")
        }
        return Header(width: Int(width), height: Int(height), colorspace: colorspace)
    }

    enum MarkerLayout: Equatable {
        /// A start-of-scan marker is reachable through well-formed segments.
        case reachesScan
        /// Segments are well formed but the data stops before any scan.
        case endsBeforeScan
        /// Something other than a marker sits where a marker must be.
        case malformed
    }

    /// Walks the marker segments after SOI (headers only, no entropy data).
    static func markerLayout(_ bytes: [UInt8]) -> MarkerLayout {
        var i = 2
        while true {
            guard i < bytes.count else { return .endsBeforeScan }
            guard bytes[i] == 0xFF else { return .malformed }
            // Any number of 0xFF fill bytes may precede a marker code.
            var j = i + 1
            while j < bytes.count, bytes[j] == 0xFF { j += 1 }
            guard j < bytes.count else { return .endsBeforeScan }
            let marker = bytes[j]
            switch marker {
            case 0xDA:
                return .reachesScan
            case 0x01, 0xD0...0xD7:
                i = j + 1  // standalone markers carry no length
            case 0x00, 0xD8, 0xD9:
                return .malformed
            default:
                guard j + 2 < bytes.count else { return .endsBeforeScan }
                let length = Int(bytes[j + 1]) << 8 | Int(bytes[j + 2])
                guard length >= 2 else { return .malformed }
                i = j + 1 + length
            }
        }
    }

    /// Decoded samples as libjpeg returns them: 1 (grey), 3 (RGB) or 4 (inverted CMYK) per pixel.
    struct Samples {
        var width: Int
        var height: Int
        var channels: Int
        var bytes: [UInt8]
    }

    /// Decodes without colour conversion beyond libjpeg's own (YCbCr to RGB, YCCK to CMYK).
    /// EXIF orientation is not applied: Pillow (and so imagehash) does not apply it either.
    static func decodeSamples(_ bytes: [UInt8], limits: ImageLimits) throws(ImageDecodingError) -> Samples {
        guard let handle = tjInitDecompress() else {
            throw ImageDecodingError(.decoderUnavailable, "tjInitDecompress failed")
        }
        defer { tjDestroy(handle) }

        let header = try readHeader(bytes, handle: handle)
        try limits.check(width: header.width, height: header.height)
        let (channels, format): (Int, TJPF) = switch header.colorspace {
        case Int32(TJCS_GRAY.rawValue): (1, TJPF_GRAY)
        case Int32(TJCS_CMYK.rawValue), Int32(TJCS_YCCK.rawValue): (4, TJPF_CMYK)
        default: (3, TJPF_RGB)
        }

        let width = header.width
        let height = header.height
        let stride = width * channels
        var rc: Int32 = -1
        let pixels = [UInt8](unsafeUninitializedCapacity: stride * height) { out, initialized in
            rc = bytes.withUnsafeBufferPointer { src in
                tjDecompress2(
                    handle, src.baseAddress, UInt(src.count), out.baseAddress,
                    Int32(width), Int32(stride), Int32(height), Int32(format.rawValue), decodeFlags)
            }
            initialized = rc == 0 ? stride * height : 0
        }
        guard rc == 0 else {
            throw classify(errorMessage(handle))
        }
        return Samples(width: width, height: height, channels: channels, bytes: pixels)
    }

    /// The JPEG as Pillow's `convert("RGB")` sees it (grey replicated, CMYK/YCCK converted
    /// by ``CMYKConversion``).
    static func decode(_ bytes: [UInt8], limits: ImageLimits) throws(ImageDecodingError) -> RGBImage {
        let samples = try decodeSamples(bytes, limits: limits)
        switch samples.channels {
        case 1:
            var rgb = [UInt8](repeating: 0, count: samples.bytes.count * 3)
            for (i, v) in samples.bytes.enumerated() {
                rgb[i * 3] = v; rgb[i * 3 + 1] = v; rgb[i * 3 + 2] = v
            }
            return RGBImage(width: samples.width, height: samples.height, pixels: rgb)
        case 4:
            return CMYKConversion.pillowRGB(fromInvertedCMYK: samples.bytes, width: samples.width, height: samples.height)
        default:
            return RGBImage(width: samples.width, height: samples.height, pixels: samples.bytes)
        }
    }

    static func encode(
        _ image: RGBImage, quality: Int, chroma: Chroma = .subsampled420
    ) throws(ImageEncodingError) -> [UInt8] {
        guard image.isWellFormed, image.width > 0, image.height > 0 else {
            throw .invalidImage("cannot encode a \(image.width)x\(image.height) image with \(image.pixels.count) bytes")
        }
        // JPEG stores sides as 16-bit values; libjpeg caps them at 65500.
        guard image.width <= 65500, image.height <= 65500 else {
            throw .invalidImage("JPEG sides are limited to 65500 pixels")
        }
        guard let handle = tjInitCompress() else {
            throw .encoderFailed("tjInitCompress failed")
        }
        defer { tjDestroy(handle) }

        var jpegBuffer: UnsafeMutablePointer<UInt8>? = nil
        var jpegSize: UInt = 0
        defer { if let jpegBuffer { tjFree(jpegBuffer) } }
        let clampedQuality = Int32(min(100, max(1, quality)))
        let rc = image.pixels.withUnsafeBufferPointer { src in
            tjCompress2(
                handle, src.baseAddress, Int32(image.width), Int32(image.width * 3), Int32(image.height),
                Int32(TJPF_RGB.rawValue), &jpegBuffer, &jpegSize, chroma.turboValue, clampedQuality,
                ORGANIC_TJFLAG_ACCURATEDCT)
        }
        guard rc == 0, let jpegBuffer else {
            throw .encoderFailed("TurboJPEG: \(errorMessage(handle))")
        }
        return Array(UnsafeBufferPointer(start: jpegBuffer, count: Int(jpegSize)))
    }

    static func errorMessage(_ handle: tjhandle) -> String {
        guard let cString = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: cString)
    }

    /// Maps libjpeg-turbo's free-text errors onto stable codes.
    static func classify(_ message: String) -> ImageDecodingError {
        let lower = message.lowercased()
        if lower.contains("premature end of jpeg file") {
            return ImageDecodingError(.truncatedImage, "JPEG data ends early (\(message))")
        }
        if lower.contains("maximum supported image dimension") {
            return ImageDecodingError(.imageTooLarge, "JPEG exceeds decoder limits (\(message))")
        }
        if lower.contains("unsupported color conversion") || lower.contains("unsupported jpeg process") {
            return ImageDecodingError(.unsupportedFormat, "unsupported JPEG variant (\(message))")
        }
        return ImageDecodingError(.corruptImage, "invalid JPEG (\(message))")
    }
}
