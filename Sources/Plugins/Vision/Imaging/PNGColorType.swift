/// PNG colour types (IHDR byte 9) with the bit depths the PNG specification allows for each.
enum PNGColorType: UInt8, Sendable, CaseIterable {
    case grey = 0
    case rgb = 2
    case palette = 3
    case greyAlpha = 4
    case rgba = 6

    /// Samples per pixel as stored (a palette index counts as one).
    var channels: Int {
        switch self {
        case .grey, .palette: 1
        case .greyAlpha: 2
        case .rgb: 3
        case .rgba: 4
        }
    }

    /// Samples per pixel that carry colour (the alpha sample excluded).
    var colorChannels: Int {
        switch self {
        case .grey, .palette, .greyAlpha: 1
        case .rgb, .rgba: 3
        }
    }

    var hasAlphaChannel: Bool { self == .greyAlpha || self == .rgba }

    func allows(bitDepth: Int) -> Bool {
        switch self {
        case .grey: [1, 2, 4, 8, 16].contains(bitDepth)
        case .palette: [1, 2, 4, 8].contains(bitDepth)
        case .rgb, .greyAlpha, .rgba: bitDepth == 8 || bitDepth == 16
        }
    }
}
