/// Metadata carried over when a JPEG is re-encoded losslessly as PNG.
enum JPEGMetadata {
    /// The TIFF payload of the first EXIF APP1 segment (the part after "Exif\0\0"), which PNG
    /// stores as an eXIf chunk; nil when there is none. Only the header segments are walked.
    static func exifPayload(_ bytes: [UInt8]) -> [UInt8]? {
        let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            // Standalone markers carry no length; start of scan ends the headers.
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 {
                i += 2
                continue
            }
            if marker == 0xDA || marker == 0xD9 { return nil }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { return nil }
            let body = bytes[(i + 4)..<(i + 2 + length)]
            if marker == 0xE1, body.count > exifHeader.count, body.starts(with: exifHeader) {
                return Array(body.dropFirst(exifHeader.count))
            }
            i += 2 + length
        }
        return nil
    }
}
