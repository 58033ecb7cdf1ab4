/// A PNG image exactly as stored: colour type, bit depth, palette, tRNS and every sample at
/// its own depth, in unfiltered, non-interlaced rows (`rowBytes` each, samples packed the PNG
/// way: big-endian 16-bit, sub-byte samples most significant bits first).
///
/// It is what the jitter edits, so a perturbed image keeps everything but the changed samples,
/// and what ``PillowView`` turns into the RGB that Pillow (hence imagehash) sees.
/// Invariant (kept by ``PNGDecoder`` and the initialiser): `rows.count == height * rowBytes`.
struct PNGRaster: Sendable, Equatable {
    var width: Int
    var height: Int
    var colorType: PNGColorType
    var bitDepth: Int
    /// Palette entries as R, G, B bytes (colour type 3 only).
    var palette: [UInt8]
    var transparency: PNGTransparency?
    /// Unfiltered pixel rows, `height * rowBytes` bytes.
    var rows: [UInt8]
    /// Colour-management and resolution chunks copied verbatim when re-encoding.
    var ancillaryChunks: [PNGChunk]

    init(width: Int, height: Int, colorType: PNGColorType, bitDepth: Int, palette: [UInt8] = [],
         transparency: PNGTransparency? = nil, rows: [UInt8], ancillaryChunks: [PNGChunk] = []) {
        self.width = width
        self.height = height
        self.colorType = colorType
        self.bitDepth = bitDepth
        self.palette = palette
        self.transparency = transparency
        self.rows = rows
        self.ancillaryChunks = ancillaryChunks
    }

    /// An all-zero raster; nil when the geometry is invalid or its buffer would overflow.
    init?(width: Int, height: Int, colorType: PNGColorType, bitDepth: Int) {
        guard width > 0, height > 0, colorType.allows(bitDepth: bitDepth),
              let rowBytes = Self.rowBytes(width: width, channels: colorType.channels, bitDepth: bitDepth),
              case let (count, overflow) = rowBytes.multipliedReportingOverflow(by: height), !overflow
        else { return nil }
        self.init(width: width, height: height, colorType: colorType, bitDepth: bitDepth,
                  rows: [UInt8](repeating: 0, count: count))
    }

    /// Bytes in one unfiltered row; nil on overflow.
    static func rowBytes(width: Int, channels: Int, bitDepth: Int) -> Int? {
        let (samples, o1) = width.multipliedReportingOverflow(by: channels)
        let (bits, o2) = samples.multipliedReportingOverflow(by: bitDepth)
        guard !o1, !o2, bits >= 0 else { return nil }
        return bits / 8 + (bits % 8 == 0 ? 0 : 1)
    }

    var rowBytes: Int {
        Self.rowBytes(width: width, channels: colorType.channels, bitDepth: bitDepth) ?? 0
    }

    var isWellFormed: Bool {
        guard width > 0, height > 0, colorType.allows(bitDepth: bitDepth),
              let rowBytes = Self.rowBytes(width: width, channels: colorType.channels, bitDepth: bitDepth)
        else { return false }
        let (count, overflow) = rowBytes.multipliedReportingOverflow(by: height)
        return !overflow && count == rows.count
    }

    var pixelCount: Int { width * height }

    /// Largest sample value at this bit depth.
    var maxSample: Int { (1 << bitDepth) - 1 }

    /// Number of palette entries.
    var paletteCount: Int { palette.count / 3 }

    /// Sample `channel` of pixel (x, y). The caller keeps coordinates in range.
    func sample(x: Int, y: Int, channel: Int) -> Int {
        let channels = colorType.channels
        let rowStart = y * rowBytes
        switch bitDepth {
        case 8:
            return Int(rows[rowStart + x * channels + channel])
        case 16:
            let i = rowStart + (x * channels + channel) * 2
            return Int(rows[i]) << 8 | Int(rows[i + 1])
        default:
            let bit = (x * channels + channel) * bitDepth
            let shift = 8 - bitDepth - bit % 8
            return Int(rows[rowStart + bit / 8] >> UInt8(shift)) & maxSample
        }
    }

    /// Sets sample `channel` of pixel (x, y); `value` must fit the bit depth.
    mutating func setSample(x: Int, y: Int, channel: Int, _ value: Int) {
        let channels = colorType.channels
        let rowStart = y * rowBytes
        switch bitDepth {
        case 8:
            rows[rowStart + x * channels + channel] = UInt8(truncatingIfNeeded: value)
        case 16:
            let i = rowStart + (x * channels + channel) * 2
            rows[i] = UInt8(truncatingIfNeeded: value >> 8)
            rows[i + 1] = UInt8(truncatingIfNeeded: value)
        default:
            let bit = (x * channels + channel) * bitDepth
            let shift = UInt8(8 - bitDepth - bit % 8)
            let mask = UInt8(maxSample) << shift
            let i = rowStart + bit / 8
            rows[i] = (rows[i] & ~mask) | (UInt8(truncatingIfNeeded: value) << shift & mask)
        }
    }

    /// All samples of pixel (x, y), colour first, alpha last when stored.
    func pixel(x: Int, y: Int) -> [Int] {
        (0..<colorType.channels).map { sample(x: x, y: y, channel: $0) }
    }

    /// Alpha of a palette entry (tRNS), 255 when the entry has none.
    func paletteAlpha(_ index: Int) -> Int {
        if case .paletteAlpha(let alphas) = transparency, index < alphas.count { return Int(alphas[index]) }
        return 255
    }

    /// True when the pixel is fully transparent: alpha sample 0, the tRNS key colour, or a
    /// palette entry whose tRNS alpha is 0.
    func isFullyTransparent(x: Int, y: Int) -> Bool {
        switch colorType {
        case .greyAlpha:
            return sample(x: x, y: y, channel: 1) == 0
        case .rgba:
            return sample(x: x, y: y, channel: 3) == 0
        case .palette:
            return paletteAlpha(sample(x: x, y: y, channel: 0)) == 0
        case .grey:
            if case .greyKey(let key) = transparency { return sample(x: x, y: y, channel: 0) == Int(key) }
            return false
        case .rgb:
            if case .rgbKey(let r, let g, let b) = transparency {
                return pixel(x: x, y: y) == [Int(r), Int(g), Int(b)]
            }
            return false
        }
    }
}
