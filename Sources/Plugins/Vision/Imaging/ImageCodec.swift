/// Entry point for turning untrusted encoded bytes into `RGBImage`s and back.
///
/// Decoding is defensive: the format is sniffed from magic bytes (never
/// trusted from a declared MIME type), the encoded size and header dimensions
/// are checked against `ImageLimits` before any pixel buffer is allocated,
/// and every library failure is mapped to an `ImageDecodingError` instead of
/// crashing. All functions are stateless and safe to call concurrently.
package enum ImageCodec {
    /// The 8-byte PNG signature.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// SOI marker followed by the first byte of the next marker.
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// Identifies the container from its magic bytes; nil for anything else.
    package static func sniffFormat(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(pngSignature.count))
        if head.count >= pngSignature.count, head.elementsEqual(pngSignature) {
            return .png
        }
        if head.count >= jpegSignature.count, head.prefix(jpegSignature.count).elementsEqual(jpegSignature) {
            return .jpeg
        }
        return nil
    }

    /// Reads format and dimensions without decoding pixels (cheap; use it to
    /// validate uploads or pick a code path). Does not apply `ImageLimits`.
    package static func readHeader(
        _ bytes: [UInt8]
    ) throws(ImageDecodingError) -> (format: ImageFormat, width: Int, height: Int) {
        let format = try detectFormat(bytes)
        switch format {
        case .png:
            let (width, height) = try PNGCodec.readHeader(bytes)
            return (.png, width, height)
        case .jpeg:
            let header = try JPEGCodec.readHeader(bytes)
            return (.jpeg, header.width, header.height)
        }
    }

    /// Decodes a PNG or JPEG into 8-bit RGB: exactly the pixels Python's
    /// `PIL.Image.open(...).convert("RGB")` returns, so hashes and embeddings computed here
    /// match the ones Python peers compute.
    ///
    /// Order of checks: empty input, encoded size, magic bytes, header
    /// dimensions vs. `limits`, then the actual decode. So a tiny file that
    /// claims 100000x100000 pixels is rejected without allocating anything.
    ///
    /// Conversions (Pillow's): PNG of any colour type and bit depth (1, 2, 4, 8, 16; grey,
    /// grey + alpha, RGB, RGBA, palette with or without tRNS, interlaced) becomes RGB with
    /// alpha ignored (never composited); 16-bit RGB/RGBA/grey + alpha keep the high byte,
    /// 16-bit grey clips at 255 (see ``PillowRGB``). Grey JPEGs are replicated to RGB;
    /// CMYK and YCCK JPEGs are converted as Pillow converts them (see ``CMYKConversion``).
    /// EXIF orientation is not applied, as Pillow does not apply it.
    package static func decode(
        _ bytes: [UInt8],
        limits: ImageLimits = .init()
    ) throws(ImageDecodingError) -> RGBImage {
        switch try format(of: bytes, limits: limits) {
        case .png:
            return PillowRGB.convert(try PNGDecoder.decode(bytes, limits: limits))
        case .jpeg:
            return try JPEGCodec.decode(bytes, limits: limits)
        }
    }

    /// Whether ``decode(_:limits:)`` would succeed (the same checks and errors), and the image's
    /// dimensions, without keeping its pixels: PNGs are inflated through a small window (see
    /// ``PNGDecoder/verify(_:limits:)``); JPEGs are decoded.
    package static func verify(
        _ bytes: [UInt8],
        limits: ImageLimits = .init()
    ) throws(ImageDecodingError) -> (format: ImageFormat, width: Int, height: Int) {
        switch try format(of: bytes, limits: limits) {
        case .png:
            let (width, height) = try PNGDecoder.verify(bytes, limits: limits)
            return (.png, width, height)
        case .jpeg:
            let image = try JPEGCodec.decode(bytes, limits: limits)
            return (.jpeg, image.width, image.height)
        }
    }

    /// The format of bytes no larger than the limits allow.
    private static func format(of bytes: [UInt8], limits: ImageLimits) throws(ImageDecodingError) -> ImageFormat {
        guard bytes.count <= limits.maxEncodedBytes else {
            throw ImageDecodingError(
                .imageTooLarge,
                "encoded image is \(bytes.count) bytes; at most \(limits.maxEncodedBytes) are allowed")
        }
        return try detectFormat(bytes)
    }

    /// Lossless PNG encode of an 8-bit RGB image.
    ///
    /// `fast: true` sets libpng's `PNG_IMAGE_FLAG_FAST` (cheaper filtering
    /// and compression): larger files, much less CPU. Use it for
    /// miner→validator transport where bytes are decoded once; use
    /// `fast: false` for files kept or served to users.
    package static func encodePNG(_ image: RGBImage, fast: Bool = true) throws(ImageEncodingError) -> [UInt8] {
        try PNGCodec.encode(image, fast: fast)
    }

    /// Lossy baseline JPEG encode with 4:2:0 chroma subsampling.
    /// `quality` is clamped to 1...100.
    package static func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws(ImageEncodingError) -> [UInt8] {
        try JPEGCodec.encode(image, quality: quality)
    }

    /// Encodes in the requested format (JPEG at its default quality).
    package static func encode(_ image: RGBImage, as format: ImageFormat) throws(ImageEncodingError) -> [UInt8] {
        switch format {
        case .png: try encodePNG(image)
        case .jpeg: try encodeJPEG(image)
        }
    }

    /// Sniffs the format, distinguishing "nothing", "cut off inside the
    /// signature" and "not an image we know".
    static func detectFormat(_ bytes: [UInt8]) throws(ImageDecodingError) -> ImageFormat {
        guard !bytes.isEmpty else {
            throw ImageDecodingError(.emptyImage, "no image bytes were supplied")
        }
        if let format = sniffFormat(bytes) {
            return format
        }
        if bytes.count < pngSignature.count, pngSignature.starts(with: bytes) {
            throw ImageDecodingError(.truncatedImage, "input ends inside the PNG signature")
        }
        if bytes.count < jpegSignature.count, jpegSignature.starts(with: bytes) {
            throw ImageDecodingError(.truncatedImage, "input ends inside the JPEG signature")
        }
        throw ImageDecodingError(.unsupportedFormat, "input is neither PNG nor JPEG (unrecognised magic bytes)")
    }
}
