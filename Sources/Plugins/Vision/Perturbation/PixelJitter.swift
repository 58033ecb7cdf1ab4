package import OrganicPluginAPI

/// The organic jitter for embedding requests: one to three random pixels change by one step
/// on each colour channel, so the picture looks the same but its embedding (and any cached
/// answer) does not match.
///
/// Everything else is kept: a PNG keeps its colour type, bit depth, palette, tRNS and colour
/// chunks, and alpha is never touched. A step is one level at the image's own bit depth (so
/// 1/65535 at 16 bits, and black/white at 1 bit, the only change a 1-bit image allows). Fully
/// transparent pixels are skipped (changing their colour changes nothing visible) unless the
/// image has no other, as is any change that would turn a pixel into a tRNS key colour. A palette pixel moves to an entry
/// with the neighbouring colour and the same alpha, appended when missing (a full palette is
/// repacked to 8 bits, and a palette of 256 other colours is expanded losslessly to 8-bit RGB
/// or RGBA). A JPEG becomes a lossless PNG of its decoded pixels (see ``LosslessImageReader``).
package enum PixelJitter {
    /// One changed pixel: its position and the change applied to each colour channel
    /// (one delta for grey, three for colour and palette images).
    package struct Change: Sendable, Hashable {
        package var x: Int
        package var y: Int
        package var deltas: [Int]
    }

    /// Random draws spent looking for a visible pixel before scanning the whole image.
    static let randomAttempts = 64

    /// Jitters an 8-bit RGB image in place and returns what changed (empty for an empty image).
    @discardableResult
    package static func apply(_ image: inout RGBImage, random: inout OrganicRandom) -> [Change] {
        guard image.isWellFormed, image.pixelCount > 0 else { return [] }
        var raster = PNGRaster(width: image.width, height: image.height, colorType: .rgb, bitDepth: 8, rows: image.pixels)
        let changes = apply(&raster, random: &random)
        image.pixels = raster.rows
        return changes
    }

    /// Decodes, jitters and re-encodes as PNG; nil when the bytes do not decode.
    package static func jitterEncoded(
        _ bytes: [UInt8], limits: ImageLimits = .largest, random: inout OrganicRandom
    ) -> (png: [UInt8], changes: [Change])? {
        try? jitter(bytes, limits: limits, fast: true, random: &random)
    }

    /// Jitters an already decoded image and encodes it as PNG, exactly as ``jitterEncoded(_:limits:random:)``
    /// does after decoding; nil when it cannot be encoded.
    static func jitterEncoded(_ raster: PNGRaster, random: inout OrganicRandom) -> [UInt8]? {
        var raster = raster
        _ = apply(&raster, random: &random)
        return try? PNGEncoder.encode(raster, fast: true)
    }

    /// Decodes any accepted image, jitters it and re-encodes it as PNG, reporting why not.
    /// `fast` trades file size for CPU (see ``ImageCodec/encodePNG(_:fast:)``).
    package static func jitter(
        _ bytes: [UInt8], limits: ImageLimits, fast: Bool, random: inout OrganicRandom
    ) throws -> (png: [UInt8], changes: [Change]) {
        var raster = try LosslessImageReader.read(bytes, limits: limits)
        let changes = apply(&raster, random: &random)
        return (try PNGEncoder.encode(raster, fast: fast), changes)
    }

    /// Jitters a raster in place, keeping its format (see the type's documentation).
    static func apply(_ raster: inout PNGRaster, random: inout OrganicRandom) -> [Change] {
        guard raster.isWellFormed else { return [] }
        let wanted = min(Int.random(in: 1...3, using: &random), raster.pixelCount)
        var changes: [Change] = []
        var used = Set<Int>()
        var candidates: [Int]?
        var includeTransparent = false
        var attempts = 0
        while changes.count < wanted {
            let position: Int
            if attempts < randomAttempts {
                attempts += 1
                position = Int.random(in: 0..<raster.pixelCount, using: &random)
            } else {
                // Mostly transparent or key-coloured image: draw from the pixels that can change.
                if candidates == nil {
                    candidates = (0..<raster.pixelCount).filter { p in
                        !used.contains(p) && !raster.isFullyTransparent(x: p % raster.width, y: p / raster.width)
                    }
                    // An image with no visible pixel still changes where colour sits under alpha.
                    if candidates?.isEmpty == true, changes.isEmpty,
                       raster.colorType.hasAlphaChannel || raster.colorType == .palette {
                        candidates = Array(0..<raster.pixelCount)
                        includeTransparent = true
                    }
                }
                guard var pool = candidates, !pool.isEmpty else { break }
                position = pool.remove(at: Int.random(in: pool.indices, using: &random))
                candidates = pool
            }
            guard !used.contains(position) else { continue }
            let x = position % raster.width, y = position / raster.width
            guard includeTransparent || !raster.isFullyTransparent(x: x, y: y) else { continue }
            used.insert(position)
            if let change = change(&raster, x: x, y: y, random: &random) { changes.append(change) }
        }
        return changes
    }

    /// Changes one pixel by a step per colour channel; nil when no allowed change exists.
    static func change(_ raster: inout PNGRaster, x: Int, y: Int, random: inout OrganicRandom) -> Change? {
        if raster.colorType == .palette {
            let index = raster.sample(x: x, y: y, channel: 0)
            let colour = index < raster.paletteCount
                ? (0..<3).map { Int(raster.palette[index * 3 + $0]) } : [0, 0, 0]
            let deltas = steps(for: colour, max: 255, avoiding: nil, random: &random)
            guard let deltas else { return nil }
            let moved = zip(colour, deltas).map { $0 + $1 }
            if let newIndex = raster.paletteIndex(red: moved[0], green: moved[1], blue: moved[2],
                                                  alpha: raster.paletteAlpha(index)) {
                raster.setSample(x: x, y: y, channel: 0, newIndex)
                return Change(x: x, y: y, deltas: deltas)
            }
            guard let expanded = raster.expandingPalette() else { return nil }
            raster = expanded
        }
        let colourChannels = raster.colorType.colorChannels
        let colour = (0..<colourChannels).map { raster.sample(x: x, y: y, channel: $0) }
        let key: [Int]? = switch raster.transparency {
        case .greyKey(let v): [Int(v)]
        case .rgbKey(let r, let g, let b): [Int(r), Int(g), Int(b)]
        default: nil
        }
        guard let deltas = steps(for: colour, max: raster.maxSample, avoiding: key, random: &random) else { return nil }
        for c in 0..<colourChannels {
            raster.setSample(x: x, y: y, channel: c, colour[c] + deltas[c])
        }
        return Change(x: x, y: y, deltas: deltas)
    }

    /// ±1 per channel (inwards at 0 and `max`), chosen so the result is not `avoiding`
    /// (a tRNS key colour); nil when every allowed step lands on it.
    static func steps(for colour: [Int], max: Int, avoiding key: [Int]?, random: inout OrganicRandom) -> [Int]? {
        var deltas = colour.map { value -> Int in
            if value <= 0 { return 1 }
            if value >= max { return -1 }
            return Bool.random(using: &random) ? 1 : -1
        }
        guard let key, key.count == colour.count, zip(colour, deltas).map({ $0 + $1 }) == key else { return deltas }
        // Flip the first channel that can move the other way.
        for c in deltas.indices {
            let flipped = -deltas[c]
            if (0...max).contains(colour[c] + flipped) {
                deltas[c] = flipped
                return deltas
            }
        }
        return nil
    }
}
