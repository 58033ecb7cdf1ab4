/// Lookup tables that let colorhash classify a pixel without float maths.
///
/// Pillow's saturation depends only on (max, min) and its hue only on which channel is
/// max, which is min, max - min and max - middle (every ratio is a difference over
/// max - min). Both are tabulated once from the exact reference formulas in
/// `HSVConversion`, so table lookups reproduce Pillow bit for bit.
struct ColorTables: Sendable {
    /// Indexed `max << 8 | min`: 0 grey (s < 85), 1 faint (85 ≤ s < 170),
    /// 2 exactly 170 (counted as coloured but binned nowhere), 3 bright (s > 170).
    let saturationClass: [UInt8]
    /// Indexed by `hueIndex`: the 6-way hue bin (0...5) of the pixel's hue. 384 KiB;
    /// a run-length compressed variant that fits L1 measured slower (its extra branch
    /// mispredicts on noisy images), so the plain table stays.
    let hueBin: [UInt8]
    /// Indexed `saturationClass << 3 | hueBin`: histogram slot.
    let slot: [UInt8]

    static let shared = ColorTables()

    private init() {
        var saturationClass = [UInt8](repeating: 0, count: 65536)
        for maxc in 1..<256 {
            for minc in 0..<maxc {
                let s = HSVConversion.saturation(maxc: UInt8(maxc), minc: UInt8(minc))
                saturationClass[maxc << 8 | minc] = s < 85 ? 0 : s < 170 ? 1 : s == 170 ? 2 : 3
            }
        }
        // Six (max channel, min channel) orders; representative colours have max = 255,
        // min = 255 - spread and middle = 255 - offset, which leaves every ratio intact.
        var hueBin = [UInt8](repeating: 0, count: 6 << 16)
        for order in 0..<6 {
            let (maxChannel, minChannel) = Self.orders[order]
            for spread in 1..<256 {
                for offset in 0...spread {
                    // Channel values by position: max 255, min 255 - spread, middle 255 - offset.
                    func value(_ channel: Int) -> UInt8 {
                        channel == maxChannel ? 255 : channel == minChannel ? UInt8(255 - spread) : UInt8(255 - offset)
                    }
                    let hue = HSVConversion.hue(value(0), value(1), value(2), maxc: 255, minc: UInt8(255 - spread))
                    hueBin[order << 16 | spread << 8 | offset] = UInt8(ColorCounts.hueBin(hue))
                }
            }
        }
        var slot = [UInt8](repeating: 0, count: 32)
        for hue in 0..<8 {
            slot[0 << 3 | hue] = UInt8(ColorCounts.Slot.gray)
            slot[1 << 3 | hue] = UInt8(min(hue, 5))
            slot[2 << 3 | hue] = UInt8(ColorCounts.Slot.exactly170)
            slot[3 << 3 | hue] = UInt8(6 + min(hue, 5))
        }
        self.saturationClass = saturationClass
        self.hueBin = hueBin
        self.slot = slot
    }

    /// (max channel, min channel) for each order index; ties resolve as in Pillow, where
    /// red wins the max over green and green over blue.
    static let orders: [(Int, Int)] = [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]

    /// Order index for each pattern of pairwise "less than" bits (see `hueIndex`).
    static let orderByComparison: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 64)
        for code in 0..<64 {
            let rGeG = code & 1 == 0, rGeB = code & 2 == 0, gGeB = code & 4 == 0
            let gGeR = code & 8 == 0, bGeR = code & 16 == 0, bGeG = code & 32 == 0
            let order: Int
            if rGeG && rGeB {
                order = bGeG ? 0 : 1       // red max; green min unless green > blue
            } else if gGeR && gGeB {
                order = bGeR ? 2 : 3       // green max; red min unless red > blue
            } else {
                order = gGeR ? 4 : 5       // blue max; red min unless red > green
            }
            table[code] = UInt8(order)
        }
        return table
    }()

    /// 1 if a < b, else 0, without a branch (the sign bit of the 32-bit difference).
    @inline(__always)
    private static func less(_ a: UInt8, _ b: UInt8) -> UInt32 {
        (UInt32(a) &- UInt32(b)) &>> 31
    }

    /// Branch-free index into `hueBin`: random-colour images would otherwise mispredict
    /// the max/min channel branches on most pixels. Grey pixels (max == min) map to a
    /// valid entry whose value is ignored because their saturation class is grey.
    /// With two equal non-max channels either min choice gives the same hue.
    @inline(__always)
    static func hueIndex(_ r: UInt8, _ g: UInt8, _ b: UInt8, orders: UnsafeBufferPointer<UInt8>) -> Int {
        let maxc = max(r, max(g, b)), minc = min(r, min(g, b))
        let middle = Int(r) &+ Int(g) &+ Int(b) &- Int(maxc) &- Int(minc)
        let code = less(r, g) | less(r, b) &<< 1 | less(g, b) &<< 2
            | less(g, r) &<< 3 | less(b, r) &<< 4 | less(b, g) &<< 5
        return Int(orders[Int(code)]) &<< 16 | Int(maxc &- minc) &<< 8 | (Int(maxc) &- middle)
    }
}
