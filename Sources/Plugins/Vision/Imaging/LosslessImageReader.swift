/// Reads any image the node accepts into a ``PNGRaster`` that re-encodes without loss, for
/// edits (the jitter) that must change nothing but the pixels they touch.
///
/// A PNG keeps its colour type, bit depth, palette, tRNS and colour-management chunks. A JPEG
/// becomes the samples every decoder agrees on: grey JPEGs 8-bit grey, colour JPEGs 8-bit RGB,
/// CMYK and YCCK JPEGs the RGB Pillow converts them to (PNG has no CMYK); its EXIF block
/// (orientation included) is kept as an eXIf chunk.
enum LosslessImageReader {
    static func read(_ bytes: [UInt8], limits: ImageLimits) throws(ImageDecodingError) -> PNGRaster {
        guard bytes.count <= limits.maxEncodedBytes else {
            throw ImageDecodingError(
                .imageTooLarge,
                "encoded image is \(bytes.count) bytes; at most \(limits.maxEncodedBytes) are allowed")
        }
        switch try ImageCodec.detectFormat(bytes) {
        case .png:
            return try PNGDecoder.decode(bytes, limits: limits)
        case .jpeg:
            let samples = try JPEGCodec.decodeSamples(bytes, limits: limits)
            let exif = JPEGMetadata.exifPayload(bytes).map { [PNGChunk(type: Array("eXIf".utf8), data: $0)] } ?? []
            switch samples.channels {
            case 1:
                return PNGRaster(width: samples.width, height: samples.height, colorType: .grey, bitDepth: 8,
                                 rows: samples.bytes, ancillaryChunks: exif)
            case 4:
                let rgb = CMYKConversion.pillowRGB(fromInvertedCMYK: samples.bytes, width: samples.width, height: samples.height)
                return PNGRaster(width: rgb.width, height: rgb.height, colorType: .rgb, bitDepth: 8,
                                 rows: rgb.pixels, ancillaryChunks: exif)
            default:
                return PNGRaster(width: samples.width, height: samples.height, colorType: .rgb, bitDepth: 8,
                                 rows: samples.bytes, ancillaryChunks: exif)
            }
        }
    }
}
