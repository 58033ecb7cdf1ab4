extension PNGRaster {
    /// Index of the palette entry with exactly this colour and alpha, adding one when the
    /// palette has room; a palette full at its bit depth is first repacked to 8 bits (same
    /// indices, same picture). nil when all 256 entries are taken by other colours.
    mutating func paletteIndex(red: Int, green: Int, blue: Int, alpha: Int) -> Int? {
        for index in 0..<paletteCount
        where Int(palette[index * 3]) == red && Int(palette[index * 3 + 1]) == green
            && Int(palette[index * 3 + 2]) == blue && paletteAlpha(index) == alpha {
            return index
        }
        guard paletteCount < 256 else { return nil }
        if paletteCount >= 1 << bitDepth { repackPalette(toBitDepth: 8) }
        let index = paletteCount
        palette += [UInt8(clamping: red), UInt8(clamping: green), UInt8(clamping: blue)]
        if alpha != 255 || transparency != nil {
            var alphas: [UInt8] = []
            if case .paletteAlpha(let existing) = transparency { alphas = existing }
            alphas += [UInt8](repeating: 255, count: max(0, index - alphas.count))
            alphas.append(UInt8(clamping: alpha))
            transparency = .paletteAlpha(alphas)
        }
        return index
    }

    /// Same indices stored at another palette bit depth (which must hold every index used).
    mutating func repackPalette(toBitDepth newDepth: Int) {
        guard colorType == .palette, newDepth != bitDepth,
              var repacked = PNGRaster(width: width, height: height, colorType: .palette, bitDepth: newDepth)
        else { return }
        for y in 0..<height {
            for x in 0..<width {
                repacked.setSample(x: x, y: y, channel: 0, sample(x: x, y: y, channel: 0))
            }
        }
        bitDepth = newDepth
        rows = repacked.rows
        ancillaryChunks.removeAll { $0.name == "sBIT" }
    }

    /// The palette image as 8-bit RGB, or RGBA when it has tRNS: the same colours and alphas
    /// (an index past the palette becomes opaque black, as Pillow shows it).
    func expandingPalette() -> PNGRaster? {
        guard colorType == .palette else { return nil }
        let hasAlpha = transparency != nil
        guard var expanded = PNGRaster(width: width, height: height, colorType: hasAlpha ? .rgba : .rgb, bitDepth: 8)
        else { return nil }
        let channels = expanded.colorType.channels
        for y in 0..<height {
            for x in 0..<width {
                let index = sample(x: x, y: y, channel: 0)
                let o = (y * width + x) * channels
                if index < paletteCount {
                    expanded.rows[o] = palette[index * 3]
                    expanded.rows[o + 1] = palette[index * 3 + 1]
                    expanded.rows[o + 2] = palette[index * 3 + 2]
                }
                if hasAlpha { expanded.rows[o + 3] = UInt8(clamping: paletteAlpha(index)) }
            }
        }
        expanded.ancillaryChunks = ancillaryChunks.filter { $0.name != "sBIT" }
        return expanded
    }
}
