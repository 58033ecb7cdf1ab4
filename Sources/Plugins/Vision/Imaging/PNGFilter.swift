/// PNG scanline filters (specification section 9): undoing them when reading, choosing and
/// applying them when writing.
enum PNGFilter {
    /// Filter type byte values.
    static let none: UInt8 = 0, sub: UInt8 = 1, up: UInt8 = 2, average: UInt8 = 3, paeth: UInt8 = 4

    @inline(__always)
    static func paethPredictor(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// Unfilters `rowCount` rows of `rowBytes` bytes, each preceded by its filter byte, from
    /// `source[start...]` into `target` (contiguous rows). `bpp` is bytes per complete pixel
    /// (at least 1). The caller guarantees the ranges exist.
    static func unfilter(
        _ source: UnsafeBufferPointer<UInt8>, start: Int, rowCount: Int, rowBytes: Int, bpp: Int,
        into target: inout [UInt8]
    ) throws(ImageDecodingError) {
        var failed = false
        target.withUnsafeMutableBufferPointer { out in
            for row in 0..<rowCount {
                let filter = source[start + row * (rowBytes + 1)]
                let input = start + row * (rowBytes + 1) + 1
                let base = row * rowBytes
                let previous = base - rowBytes
                for i in 0..<rowBytes {
                    let raw = Int(source[input + i])
                    let left = i >= bpp ? Int(out[base + i - bpp]) : 0
                    let up = row > 0 ? Int(out[previous + i]) : 0
                    let predicted: Int
                    switch filter {
                    case none: predicted = 0
                    case sub: predicted = left
                    case PNGFilter.up: predicted = up
                    case average: predicted = (left + up) / 2
                    case paeth:
                        let upperLeft = row > 0 && i >= bpp ? Int(out[previous + i - bpp]) : 0
                        predicted = paethPredictor(left, up, upperLeft)
                    default:
                        failed = true
                        return
                    }
                    out[base + i] = UInt8(truncatingIfNeeded: raw + predicted)
                }
            }
        }
        if failed { throw ImageDecodingError(.corruptImage, "invalid PNG (unknown row filter type)") }
    }

    /// Filters every row for writing, choosing per row the filter with the smallest sum of
    /// absolute (signed) residuals, the heuristic the PNG specification recommends. Sub-byte
    /// images use no filter, as the specification also advises.
    static func filter(rows: [UInt8], rowBytes: Int, height: Int, bpp: Int, adaptive: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        var candidate = [UInt8](repeating: 0, count: rowBytes)
        rows.withUnsafeBufferPointer { src in
            for row in 0..<height {
                let base = row * rowBytes
                let outBase = row * (rowBytes + 1)
                var bestCost = Int.max
                let filters: [UInt8] = adaptive ? [none, sub, up, average, paeth] : [none]
                for type in filters {
                    var cost = 0
                    for i in 0..<rowBytes {
                        let value = Int(src[base + i])
                        let left = i >= bpp ? Int(src[base + i - bpp]) : 0
                        let above = row > 0 ? Int(src[base - rowBytes + i]) : 0
                        let upperLeft = row > 0 && i >= bpp ? Int(src[base - rowBytes + i - bpp]) : 0
                        let predicted: Int = switch type {
                        case sub: left
                        case PNGFilter.up: above
                        case average: (left + above) / 2
                        case paeth: paethPredictor(left, above, upperLeft)
                        default: 0
                        }
                        let residual = UInt8(truncatingIfNeeded: value - predicted)
                        candidate[i] = residual
                        cost += abs(Int(Int8(bitPattern: residual)))
                    }
                    if cost < bestCost {
                        bestCost = cost
                        out[outBase] = type
                        for i in 0..<rowBytes { out[outBase + 1 + i] = candidate[i] }
                    }
                }
            }
        }
        return out
    }
}
