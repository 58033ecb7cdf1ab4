import Testing
@testable import VisionPlugin

@Suite("colorhash pixel classification")
struct ColorClassificationTests {
    /// The table-driven classifier used in the hot loop must agree with the direct
    /// transcription of Pillow's HSV maths for every 24-bit colour.
    /// Split by red value into 16 cases so swift-testing can spread them over cores.
    @Test("table-driven classification equals the reference for all 2^24 colours", arguments: 0..<16)
    func allColours(redBlock: Int) {
        var mismatches = 0
        ColorCounts.withTables { satClass, hueBins, slots, orders in
            for r in (redBlock * 16)..<(redBlock * 16 + 16) {
                for g in 0...255 {
                    for b in 0...255 {
                        let (r8, g8, b8) = (UInt8(r), UInt8(g), UInt8(b))
                        let fast = ColorCounts.fastSlot(
                            r8, g8, b8, luma: Luminance.luma(r8, g8, b8), saturationClass: satClass,
                            hueBins: hueBins, slots: slots, orders: orders)
                        if fast != ColorCounts.referenceSlot(r8, g8, b8) { mismatches += 1 }
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("hue bins follow numpy.histogram edges at multiples of 42.5")
    func hueBinEdges() {
        let expectations: [(UInt8, Int)] = [(0, 0), (42, 0), (43, 1), (84, 1), (85, 2), (127, 2),
                                            (128, 3), (169, 3), (170, 4), (212, 4), (213, 5), (255, 5)]
        for (hue, bin) in expectations { #expect(ColorCounts.hueBin(hue) == bin) }
    }

    @Test("colorhash bit formula keeps imagehash's quirk")
    func bitFormula() {
        // imagehash emits v // 2^(b-i-1) % 2^(b-i) > 0, so a value of 4 reads 1,1,0.
        var counts = ColorCounts()
        counts.total = 8
        counts.black = 4        // frac 0.5 -> value 4
        let hash = counts.hash(binBits: 3)
        #expect(Array(hash.bits.prefix(3)) == [true, true, false])
    }
}
