/// Writes a ``PNGRaster`` losslessly in its own colour type and bit depth (non-interlaced),
/// with its palette, tRNS and the colour-management chunks it was read with.
enum PNGEncoder {
    static func encode(_ raster: PNGRaster, fast: Bool) throws(ImageEncodingError) -> [UInt8] {
        guard raster.isWellFormed else {
            throw .invalidImage("cannot encode a \(raster.width)x\(raster.height) raster with \(raster.rows.count) bytes")
        }
        guard let width = UInt32(exactly: raster.width), let height = UInt32(exactly: raster.height),
              width <= UInt32(PNGDecoder.maxChunkLength), height <= UInt32(PNGDecoder.maxChunkLength)
        else {
            throw .invalidImage("image is too large for PNG encoding")
        }
        if raster.colorType == .palette, !(3...768).contains(raster.palette.count) || raster.palette.count % 3 != 0 {
            throw .invalidImage("a palette image needs 1 to 256 palette entries")
        }
        let bpp = max(1, raster.colorType.channels * raster.bitDepth / 8)
        let filtered = PNGFilter.filter(rows: raster.rows, rowBytes: raster.rowBytes, height: raster.height, bpp: bpp,
                                        adaptive: raster.bitDepth >= 8 && raster.colorType != .palette)
        guard let compressed = Zlib.deflate(filtered, level: fast ? 1 : 9) else {
            throw .encoderFailed("zlib could not compress the image data")
        }

        var out: [UInt8] = ImageCodec.pngSignature
        var header = bigEndian(width) + bigEndian(height)
        header += [UInt8(raster.bitDepth), raster.colorType.rawValue, 0, 0, 0]
        append("IHDR", header, to: &out)
        for chunk in raster.ancillaryChunks where PNGChunk.keptAncillary.contains(chunk.name) {
            try appendChecked(chunk.type, chunk.data, to: &out)
        }
        if raster.colorType == .palette { append("PLTE", raster.palette, to: &out) }
        if let transparency = raster.transparency, let data = transparencyData(transparency, raster: raster) {
            append("tRNS", data, to: &out)
        }
        // IDAT chunks of at most 1 MiB, like common encoders write.
        let idatSize = 1 << 20
        var start = 0
        repeat {
            let end = min(compressed.count, start + idatSize)
            append("IDAT", Array(compressed[start..<end]), to: &out)
            start = end
        } while start < compressed.count
        append("IEND", [], to: &out)
        return out
    }

    static func transparencyData(_ transparency: PNGTransparency, raster: PNGRaster) -> [UInt8]? {
        switch (transparency, raster.colorType) {
        case (.paletteAlpha(let alphas), .palette):
            // Trailing opaque entries need not be written.
            var trimmed = Array(alphas.prefix(raster.paletteCount))
            while trimmed.last == 255 { trimmed.removeLast() }
            return trimmed.isEmpty ? nil : trimmed
        case (.greyKey(let key), .grey):
            return bigEndian16(key)
        case (.rgbKey(let r, let g, let b), .rgb):
            return bigEndian16(r) + bigEndian16(g) + bigEndian16(b)
        default:
            return nil
        }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
         UInt8(truncatingIfNeeded: value)]
    }

    static func bigEndian16(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func append(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndian(UInt32(truncatingIfNeeded: data.count)) + typeBytes + data
        out += bigEndian(Zlib.crc(typeBytes[...], data[...]))
    }

    static func appendChecked(_ type: [UInt8], _ data: [UInt8], to out: inout [UInt8]) throws(ImageEncodingError) {
        guard data.count <= PNGDecoder.maxChunkLength, type.count == 4 else {
            throw .invalidImage("a kept PNG chunk is malformed")
        }
        append(String(decoding: type, as: UTF8.self), data, to: &out)
    }
}
