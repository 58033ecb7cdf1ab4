/// One PNG chunk kept verbatim (type and data) so a re-encoded image keeps its metadata.
struct PNGChunk: Sendable, Equatable {
    var type: [UInt8]
    var data: [UInt8]

    var name: String { String(decoding: type, as: UTF8.self) }

    /// Ancillary chunks that change how decoders render colours, plus resolution; these are
    /// copied to a re-encoded image so every decoder shows it like the original.
    static let keptAncillary: Set<String> = ["cHRM", "gAMA", "iCCP", "sRGB", "sBIT", "cICP", "mDCv", "cLLi", "pHYs", "eXIf"]
}
