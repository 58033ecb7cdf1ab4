/// Pixel counts behind imagehash.colorhash, gathered in one pass that also produces the
/// "L" plane (colorhash needs it for the black mask, the other hashes need it anyway).
struct ColorCounts: Sendable, Equatable {
    var total = 0
    /// L < 32.
    var black = 0
    /// Not black and HSV saturation < 85.
    var gray = 0
    /// Not black and saturation >= 85 (faint + bright + exactly 170, which imagehash drops).
    var colored = 0
    /// Hue histograms (6 bins over 0...255) for 85 <= s < 170 and s > 170.
    var faintHues = [Int](repeating: 0, count: 6)
    var brightHues = [Int](repeating: 0, count: 6)

    /// numpy.histogram with edges linspace(0, 255, 7) = multiples of 42.5, last bin
    /// closed. For integer hue h that is floor(2h / 85), with 255 folded into bin 5.
    @inline(__always)
    static func hueBin(_ hue: UInt8) -> Int {
        min(Int(hue) * 2 / 85, 5)
    }

    /// Slot layout of the per-pixel histogram gathered by `analyze`.
    enum Slot {
        /// 0..<6 faint hue bins, 6..<12 bright hue bins.
        static let exactly170 = 12
        static let black = 13
        static let gray = 14
        static let count = 16
    }

    /// Reference per-pixel classification, written the way imagehash reads: black by L,
    /// grey by HSV saturation, otherwise faint/bright by saturation and a hue bin.
    static func referenceSlot(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        if Luminance.luma(r, g, b) < 32 { return Slot.black }
        let (hue, saturation) = HSVConversion.hueSaturation(r, g, b)
        if saturation < 85 { return Slot.gray }
        if saturation == 170 { return Slot.exactly170 }
        return hueBin(hue) + (saturation > 170 ? 6 : 0)
    }

    /// Table-driven equivalent of `referenceSlot` (the tables come from `ColorTables`).
    @inline(__always)
    static func fastSlot(
        _ r: UInt8, _ g: UInt8, _ b: UInt8, luma: UInt8,
        saturationClass: UnsafeBufferPointer<UInt8>, hueBins: UnsafeBufferPointer<UInt8>,
        slots: UnsafeBufferPointer<UInt8>, orders: UnsafeBufferPointer<UInt8>
    ) -> Int {
        let satClass = Int(saturationClass[Int(max(r, max(g, b))) &<< 8 | Int(min(r, min(g, b)))])
        let hueBin = Int(hueBins[ColorTables.hueIndex(r, g, b, orders: orders)])
        let colourSlot = Int(slots[satClass &<< 3 | hueBin])
        return luma < 32 ? Slot.black : colourSlot
    }

    /// Runs `body` with the classification tables as raw buffers (hot-loop access).
    static func withTables<R>(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        let tables = ColorTables.shared
        return tables.saturationClass.withUnsafeBufferPointer { satClass in
            tables.hueBin.withUnsafeBufferPointer { hueBins in
                tables.slot.withUnsafeBufferPointer { slots in
                    ColorTables.orderByComparison.withUnsafeBufferPointer { orders in
                        body(satClass, hueBins, slots, orders)
                    }
                }
            }
        }
    }

    /// Single pass over the RGB bytes producing the "L" plane and the colorhash counts.
    ///
    /// The colour classification is table driven (see `ColorTables`) and branch-free so
    /// noisy images do not pay for mispredicted branches or float divisions per pixel;
    /// the all-colours test checks it against `referenceSlot` for every 24-bit colour.
    static func analyze(_ image: RGBImage) -> (GrayImage, ColorCounts) {
        let count = image.width * image.height
        // Four interleaved histograms break the store-to-load dependency between
        // consecutive pixels that land in the same slot.
        var histograms = [Int](repeating: 0, count: 4 * Slot.count)
        let luma = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            withTables { satClass, hueBins, slotTable, orders in
                image.pixels.withUnsafeBufferPointer { rgb in
                    histograms.withUnsafeMutableBufferPointer { hist in
                        for index in 0..<count {
                            let base = index &* 3
                            let r = rgb[base], g = rgb[base &+ 1], b = rgb[base &+ 2]
                            let l = Luminance.luma(r, g, b)
                            out[index] = l
                            let slot = fastSlot(
                                r, g, b, luma: l, saturationClass: satClass, hueBins: hueBins,
                                slots: slotTable, orders: orders)
                            hist[(index & 3) &* Slot.count &+ slot] &+= 1
                        }
                    }
                }
            }
            initialized = count
        }
        var bins = [Int](repeating: 0, count: Slot.count)
        for lane in 0..<4 {
            for slot in 0..<Slot.count { bins[slot] += histograms[lane * Slot.count + slot] }
        }
        let counts = ColorCounts(
            total: count, black: bins[Slot.black], gray: bins[Slot.gray],
            colored: bins[0..<13].reduce(0, +),
            faintHues: Array(bins[0..<6]), brightHues: Array(bins[6..<12]))
        return (GrayImage(width: image.width, height: image.height, pixels: luma), counts)
    }

    /// imagehash's quantisation: each of the 14 fractions becomes an integer in
    /// 0..<2^binBits, emitted with imagehash's bit formula `v // 2^(b-i-1) % 2^(b-i) > 0`.
    /// That formula is not plain binary (for b = 3, v = 4 gives 1,1,0); it is kept as is
    /// because the hex must match.
    func hash(binBits: Int) -> ImageHash {
        let maxValue = 1 << binBits
        let n = Double(max(total, 1))
        let c = Double(max(colored, 1))
        var values = [
            min(maxValue - 1, Int(Double(black) / n * Double(maxValue))),
            min(maxValue - 1, Int(Double(gray) / n * Double(maxValue))),
        ]
        for bin in faintHues + brightHues {
            values.append(min(maxValue - 1, Int(Double(bin * maxValue) / c)))
        }
        var bits = [Bool]()
        bits.reserveCapacity(values.count * binBits)
        for value in values {
            for i in 0..<binBits {
                bits.append((value >> (binBits - i - 1)) % (1 << (binBits - i)) > 0)
            }
        }
        return ImageHash(bits: bits)
    }
}

extension PerceptualHasher {
    /// imagehash.colorhash: fractions of black, grey, and faint/bright colours per hue sextant.
    package static func colorHash(_ image: RGBImage, binBits: Int = 3) -> ImageHash {
        let binBits = min(max(binBits, 1), 16)
        guard GrayImage.isUsable(image) else { return .zero(14 * binBits) }
        return ColorCounts.analyze(image).1.hash(binBits: binBits)
    }
}
