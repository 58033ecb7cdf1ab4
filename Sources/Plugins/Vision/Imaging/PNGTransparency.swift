/// A PNG's tRNS chunk, read for the colour type it belongs to.
enum PNGTransparency: Sendable, Equatable {
    /// Alpha for the first palette entries (missing entries are opaque).
    case paletteAlpha([UInt8])
    /// The grey sample value (at the image's bit depth) that is fully transparent.
    case greyKey(UInt16)
    /// The RGB sample values (at the image's bit depth) that are fully transparent.
    case rgbKey(UInt16, UInt16, UInt16)
}
