import CLibPNG

/// zlib streams for the full-fidelity PNG reader and writer.
///
/// Inflation writes into a buffer of exactly the size the PNG header implies, so a
/// decompression bomb can never allocate more than the caller's pixel budget allowed.
enum Zlib {
    enum InflateOutcome: Equatable {
        /// The stream produced at least `expectedCount` bytes (anything beyond is ignored, as
        /// libpng and Pillow ignore trailing image data).
        case complete
        /// The stream ended cleanly, or the input ran out, before `expectedCount` bytes.
        case short(produced: Int)
    }

    /// Inflates `input` into exactly `expectedCount` bytes.
    static func inflate(_ input: [UInt8], expectedCount: Int) throws(ImageDecodingError) -> ([UInt8], InflateOutcome) {
        guard expectedCount > 0 else { return ([], .complete) }
        var output = [UInt8](repeating: 0, count: expectedCount)
        let outcome = try output.withUnsafeMutableBufferPointer { (target) throws(ImageDecodingError) -> InflateOutcome in
            try inflate(input, expectedCount: expectedCount, into: target) { _, _ in }
        }
        return (output, outcome)
    }

    /// Inflates `input` up to `expectedCount` bytes through a small window, handing each piece
    /// and its offset in the stream to `visit` instead of keeping it: the same outcome and errors
    /// as ``inflate(_:expectedCount:)``, in constant memory.
    static func inflate(_ input: [UInt8], expectedCount: Int, window: Int = 1 << 16,
                        visit: (UnsafeBufferPointer<UInt8>, Int) -> Void) throws(ImageDecodingError) -> InflateOutcome {
        guard expectedCount > 0 else { return .complete }
        var buffer = [UInt8](repeating: 0, count: min(window, expectedCount))
        return try buffer.withUnsafeMutableBufferPointer { (target) throws(ImageDecodingError) -> InflateOutcome in
            try inflate(input, expectedCount: expectedCount, into: target, visit: visit)
        }
    }

    /// Inflates into `target`: in place when it holds the whole output, else again and again
    /// from its start, each piece handed to `visit` with its offset in the stream.
    private static func inflate(_ input: [UInt8], expectedCount: Int, into target: UnsafeMutableBufferPointer<UInt8>,
                                visit: (UnsafeBufferPointer<UInt8>, Int) -> Void) throws(ImageDecodingError) -> InflateOutcome {
        var stream = z_stream()
        guard organic_inflate_init(&stream) == Z_OK else {
            throw ImageDecodingError(.decoderUnavailable, "zlib could not start a decompressor")
        }
        defer { inflateEnd(&stream) }
        let whole = target.count >= expectedCount
        var produced = 0
        var status: Int32 = Z_OK
        input.withUnsafeBufferPointer { source in
            // avail_in/avail_out are 32-bit; inputs are bounded by ImageLimits.maxEncodedBytes and
            // outputs by the pixel budget, both far below 4 GiB.
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(clamping: source.count)
            repeat {
                let offset = whole ? produced : 0
                let room = min(target.count - offset, expectedCount - produced)
                stream.next_out = target.baseAddress.map { $0 + offset }
                stream.avail_out = UInt32(room)
                status = step(&stream)
                let written = room - Int(stream.avail_out)
                if written > 0 { visit(UnsafeBufferPointer(rebasing: target[offset..<(offset + written)]), produced) }
                produced += written
                // zlib may hold output back when the window is full, even with all input read:
                // call again until it says it cannot go on (Z_BUF_ERROR) or the end.
            } while status == Z_OK && produced < expectedCount
        }
        switch status {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR:
            return produced >= expectedCount ? .complete : .short(produced: produced)
        case Z_MEM_ERROR:
            throw ImageDecodingError(.decoderUnavailable, "zlib ran out of memory")
        default:
            throw ImageDecodingError(.corruptImage, "invalid PNG (compressed image data is damaged)")
        }
    }

    /// Compresses `input` as one zlib stream; nil only when zlib itself fails.
    static func deflate(_ input: [UInt8], level: Int32) -> [UInt8]? {
        var stream = z_stream()
        guard organic_deflate_init(&stream, level) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let capacity = Int(deflateBound(&stream, UInt(input.count)))
        guard UInt32(exactly: capacity) != nil, UInt32(exactly: input.count) != nil else { return nil }
        var status: Int32 = Z_OK
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { target, initialized in
            input.withUnsafeBufferPointer { source in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                status = finish(&stream)
                written = target.count - Int(stream.avail_out)
            }
            initialized = status == Z_STREAM_END ? written : 0
        }
        return status == Z_STREAM_END ? output : nil
    }

    /// CRC-32 of a chunk's type and data, as PNG stores it.
    static func crc(_ parts: ArraySlice<UInt8>...) -> UInt32 {
        var value = crc32(0, nil, 0)
        for part in parts {
            value = part.withUnsafeBufferPointer { buffer in
                crc32(value, buffer.baseAddress, UInt32(clamping: buffer.count))
            }
        }
        return UInt32(truncatingIfNeeded: value)
    }

    private static func step(_ stream: inout z_stream) -> Int32 {
        CLibPNG.inflate(&stream, Z_NO_FLUSH)
    }

    private static func finish(_ stream: inout z_stream) -> Int32 {
        CLibPNG.deflate(&stream, Z_FINISH)
    }
}
