/// Reads a PNG into a ``PNGRaster`` without converting anything: every colour type and bit
/// depth, palette and tRNS as stored, interlaced images de-interlaced.
///
/// Untrusted input: the IHDR is checked against `ImageLimits` before anything is allocated,
/// the decompressed data is inflated into a buffer of exactly the size the header implies,
/// chunk CRCs are verified (a damaged critical chunk is `corrupt_image`, a damaged ancillary
/// one is skipped, as libpng does), and data ending early is `truncated_image`.
enum PNGDecoder {
    /// Chunk lengths above 2^31 - 1 are invalid (PNG specification 5.3).
    static let maxChunkLength = 0x7FFF_FFFF

    /// What IHDR declares, checked against the limits and the specification.
    struct Header {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colorType: PNGColorType
        var interlaced: Bool
        var rowBytes: Int
        var total: Int

        var channels: Int { colorType.channels }
    }

    static func header(_ bytes: [UInt8], limits: ImageLimits) throws(ImageDecodingError) -> Header {
        let (width, height) = try PNGCodec.readHeader(bytes)
        try limits.check(width: width, height: height)
        let bitDepth = Int(bytes[24])
        guard let colorType = PNGColorType(rawValue: bytes[25]), colorType.allows(bitDepth: bitDepth) else {
            throw ImageDecodingError(.corruptImage, "invalid PNG (colour type \(bytes[25]) with bit depth \(bitDepth))")
        }
        guard bytes[26] == 0, bytes[27] == 0, bytes[28] <= 1 else {
            throw ImageDecodingError(.corruptImage, "invalid PNG (unknown compression, filter or interlace method)")
        }
        guard let rowBytes = PNGRaster.rowBytes(width: width, channels: colorType.channels, bitDepth: bitDepth),
              case let (total, overflow) = rowBytes.multipliedReportingOverflow(by: height), !overflow,
              total <= Int(Int32.max)
        else {
            throw ImageDecodingError(.imageTooLarge, "PNG rows are too large to decode")
        }
        return Header(width: width, height: height, bitDepth: bitDepth, colorType: colorType, interlaced: bytes[28] == 1,
                      rowBytes: rowBytes, total: total)
    }

    static func decode(_ bytes: [UInt8], limits: ImageLimits) throws(ImageDecodingError) -> PNGRaster {
        let header = try header(bytes, limits: limits)
        let (width, height, bitDepth, colorType) = (header.width, header.height, header.bitDepth, header.colorType)
        let (interlaced, channels, rowBytes, total) = (header.interlaced, header.channels, header.rowBytes, header.total)

        let chunks = try readChunks(bytes, colorType: colorType, bitDepth: bitDepth)
        let expected = try filteredSize(width: width, height: height, channels: channels, bitDepth: bitDepth,
                                        interlaced: interlaced)
        let (data, outcome) = try Zlib.inflate(chunks.imageData, expectedCount: expected)
        if case .short = outcome {
            throw ImageDecodingError(.truncatedImage, "PNG data ends early (not enough image data)")
        }
        let bpp = max(1, channels * bitDepth / 8)
        var raster = PNGRaster(width: width, height: height, colorType: colorType, bitDepth: bitDepth,
                               palette: chunks.palette, transparency: chunks.transparency,
                               rows: [UInt8](repeating: 0, count: total), ancillaryChunks: chunks.ancillary)
        if !interlaced {
            try data.withUnsafeBufferPointer { (source) throws(ImageDecodingError) in
                try PNGFilter.unfilter(source, start: 0, rowCount: height, rowBytes: rowBytes, bpp: bpp, into: &raster.rows)
            }
            return raster
        }
        var offset = 0
        for pass in PNGAdam7.passes {
            let size = pass.size(width: width, height: height)
            guard size.width > 0, size.height > 0,
                  var sub = PNGRaster(width: size.width, height: size.height, colorType: colorType, bitDepth: bitDepth)
            else { continue }
            let subRowBytes = sub.rowBytes
            try data.withUnsafeBufferPointer { (source) throws(ImageDecodingError) in
                try PNGFilter.unfilter(source, start: offset, rowCount: size.height, rowBytes: subRowBytes, bpp: bpp,
                                       into: &sub.rows)
            }
            offset += size.height * (subRowBytes + 1)
            for y in 0..<size.height {
                for x in 0..<size.width {
                    for c in 0..<channels {
                        raster.setSample(x: pass.xStart + x * pass.xStep, y: pass.yStart + y * pass.yStep, channel: c,
                                         sub.sample(x: x, y: y, channel: c))
                    }
                }
            }
        }
        return raster
    }

    /// Whether ``decode(_:limits:)`` would succeed, with the same checks and errors, without
    /// keeping or converting the pixels: the image data is inflated through a small window and
    /// only each row's filter type is read (unfiltering and conversion cannot fail). Returns the
    /// dimensions. Validating a megapixel upload or answer costs the inflation alone.
    static func verify(_ bytes: [UInt8], limits: ImageLimits, window: Int = 1 << 16) throws(ImageDecodingError) -> (width: Int, height: Int) {
        let header = try header(bytes, limits: limits)
        let chunks = try readChunks(bytes, colorType: header.colorType, bitDepth: header.bitDepth)
        // Each row's filter byte, pass by pass, in stream order.
        let (rowStarts, expected) = try rowLayout(width: header.width, height: header.height, channels: header.channels,
                                                  bitDepth: header.bitDepth, interlaced: header.interlaced)
        var pass = 0
        var rowsLeft = rowStarts.first?.rows ?? 0
        var nextRow = 0
        var badFilter = false
        let outcome = try Zlib.inflate(chunks.imageData, expectedCount: expected, window: window) { piece, offset in
            while pass < rowStarts.count, nextRow < offset + piece.count {
                if piece[nextRow - offset] > 4 { badFilter = true }
                nextRow += rowStarts[pass].stride
                rowsLeft -= 1
                if rowsLeft == 0 {
                    pass += 1
                    rowsLeft = pass < rowStarts.count ? rowStarts[pass].rows : 0
                }
            }
        }
        if case .short = outcome {
            throw ImageDecodingError(.truncatedImage, "PNG data ends early (not enough image data)")
        }
        if badFilter { throw ImageDecodingError(.corruptImage, "invalid PNG (unknown row filter type)") }
        return (header.width, header.height)
    }

    /// Bytes of filtered (filter byte + row) data the header implies.
    static func filteredSize(
        width: Int, height: Int, channels: Int, bitDepth: Int, interlaced: Bool
    ) throws(ImageDecodingError) -> Int {
        try rowLayout(width: width, height: height, channels: channels, bitDepth: bitDepth, interlaced: interlaced).total
    }

    /// The filtered rows of each non-empty pass in stream order (bytes per row with its filter
    /// byte, and row count), and their total size.
    static func rowLayout(
        width: Int, height: Int, channels: Int, bitDepth: Int, interlaced: Bool
    ) throws(ImageDecodingError) -> (passes: [(stride: Int, rows: Int)], total: Int) {
        let passes = interlaced ? PNGAdam7.passes : [PNGAdam7.Pass(xStart: 0, xStep: 1, yStart: 0, yStep: 1)]
        var layout: [(stride: Int, rows: Int)] = []
        var total = 0
        for pass in passes {
            let size = pass.size(width: width, height: height)
            guard size.width > 0, size.height > 0 else { continue }
            guard let rowBytes = PNGRaster.rowBytes(width: size.width, channels: channels, bitDepth: bitDepth),
                  case let (bytes, overflow) = (rowBytes + 1).multipliedReportingOverflow(by: size.height), !overflow,
                  case let (sum, sumOverflow) = total.addingReportingOverflow(bytes), !sumOverflow
            else {
                throw ImageDecodingError(.imageTooLarge, "PNG rows are too large to decode")
            }
            layout.append((rowBytes + 1, size.height))
            total = sum
        }
        return (layout, total)
    }

    struct Chunks {
        var palette: [UInt8] = []
        var transparency: PNGTransparency?
        /// The IDAT chunks' data: a slice of the file when it is one chunk, so that its megabytes
        /// are not copied before they are inflated; several chunks are joined.
        var imageData: ArraySlice<UInt8> = []
        var ancillary: [PNGChunk] = []
    }

    /// Walks the chunks after IHDR up to IEND (or the end of the input).
    static func readChunks(_ bytes: [UInt8], colorType: PNGColorType, bitDepth: Int) throws(ImageDecodingError) -> Chunks {
        var chunks = Chunks()
        var sawImageData = false
        var sawEnd = false
        var rawTransparency: [UInt8]?
        var offset = PNGCodec.minimumHeaderBytes
        while offset < bytes.count {
            guard bytes.count - offset >= 8 else {
                throw ImageDecodingError(.truncatedImage, "PNG ends inside a chunk header")
            }
            let length = Int(PNGCodec.bigEndianUInt32(bytes, at: offset))
            guard length <= maxChunkLength else {
                throw ImageDecodingError(.corruptImage, "invalid PNG (chunk length \(length))")
            }
            let type = Array(bytes[(offset + 4)..<(offset + 8)])
            guard type.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw ImageDecodingError(.corruptImage, "invalid PNG (malformed chunk type)")
            }
            guard bytes.count - offset - 12 >= length else {
                throw ImageDecodingError(.truncatedImage, "PNG data ends early (inside a \(String(decoding: type, as: UTF8.self)) chunk)")
            }
            let dataStart = offset + 8
            let data = bytes[dataStart..<(dataStart + length)]
            let stored = PNGCodec.bigEndianUInt32(bytes, at: dataStart + length)
            offset = dataStart + length + 4
            let critical = type[0] & 0x20 == 0
            guard Zlib.crc(bytes[(dataStart - 4)..<dataStart], data) == stored else {
                if critical { throw ImageDecodingError(.corruptImage, "invalid PNG (CRC error in a critical chunk)") }
                continue
            }
            switch String(decoding: type, as: UTF8.self) {
            case "IHDR":
                throw ImageDecodingError(.corruptImage, "invalid PNG (second IHDR)")
            case "PLTE":
                guard length % 3 == 0, (3...768).contains(length) else {
                    throw ImageDecodingError(.corruptImage, "invalid PNG (palette of \(length) bytes)")
                }
                // Colour types 2 and 6 may carry a suggested palette; it does not describe pixels.
                if colorType == .palette { chunks.palette = Array(data) }
            case "tRNS":
                rawTransparency = Array(data)
            case "IDAT":
                if sawImageData { chunks.imageData.append(contentsOf: data) } else { chunks.imageData = data }
                sawImageData = true
            case "IEND":
                sawEnd = true
            default:
                if critical {
                    throw ImageDecodingError(.corruptImage, "invalid PNG (unknown critical chunk \(String(decoding: type, as: UTF8.self)))")
                }
                let chunk = PNGChunk(type: type, data: Array(data))
                if PNGChunk.keptAncillary.contains(chunk.name), !sawImageData { chunks.ancillary.append(chunk) }
            }
            if sawEnd { break }
        }
        guard sawImageData else {
            throw sawEnd ? ImageDecodingError(.corruptImage, "invalid PNG (no image data)")
                : ImageDecodingError(.truncatedImage, "PNG data ends before the image data")
        }
        if colorType == .palette, chunks.palette.isEmpty {
            throw ImageDecodingError(.corruptImage, "invalid PNG (palette image without a palette)")
        }
        if let raw = rawTransparency {
            chunks.transparency = transparency(raw, colorType: colorType, bitDepth: bitDepth,
                                               paletteCount: chunks.palette.count / 3)
        }
        return chunks
    }

    /// Interprets tRNS for the colour type; an invalid one is ignored (libpng warns and drops it).
    static func transparency(_ raw: [UInt8], colorType: PNGColorType, bitDepth: Int, paletteCount: Int) -> PNGTransparency? {
        let mask = (1 << bitDepth) - 1
        func value(_ i: Int) -> UInt16 { UInt16((Int(raw[i]) << 8 | Int(raw[i + 1])) & mask) }
        switch colorType {
        case .palette:
            guard !raw.isEmpty else { return nil }
            return .paletteAlpha(Array(raw.prefix(paletteCount)))
        case .grey:
            return raw.count == 2 ? .greyKey(value(0)) : nil
        case .rgb:
            return raw.count == 6 ? .rgbKey(value(0), value(2), value(4)) : nil
        case .greyAlpha, .rgba:
            return nil
        }
    }
}
