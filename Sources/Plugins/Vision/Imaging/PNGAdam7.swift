/// Adam7 interlacing geometry (PNG specification section 8.2).
enum PNGAdam7 {
    struct Pass: Sendable {
        var xStart: Int, xStep: Int, yStart: Int, yStep: Int

        /// Pixels per row and rows in this pass for a `width` x `height` image.
        func size(width: Int, height: Int) -> (width: Int, height: Int) {
            let w = width > xStart ? (width - xStart + xStep - 1) / xStep : 0
            let h = height > yStart ? (height - yStart + yStep - 1) / yStep : 0
            return (w, h)
        }
    }

    static let passes: [Pass] = [
        Pass(xStart: 0, xStep: 8, yStart: 0, yStep: 8), Pass(xStart: 4, xStep: 8, yStart: 0, yStep: 8),
        Pass(xStart: 0, xStep: 4, yStart: 4, yStep: 8), Pass(xStart: 2, xStep: 4, yStart: 0, yStep: 4),
        Pass(xStart: 0, xStep: 2, yStart: 2, yStep: 4), Pass(xStart: 1, xStep: 2, yStart: 0, yStep: 2),
        Pass(xStart: 0, xStep: 1, yStart: 1, yStep: 2),
    ]
}
