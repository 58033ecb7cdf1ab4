import CLibDeflate
import CLibPNG

/// zlib streams for the full-fidelity PNG reader and writer.
///
/// Inflation writes into a buffer of exactly the size the PNG header implies, so a
/// decompression bomb can never allocate more than the caller's pixel budget allowed.
/// Whole buffers go through libdeflate (about twice zlib's speed both ways, and its CRC-32
/// several times); zlib's streaming API stays for the constant-memory reader and for streams
/// libdeflate refuses, so every outcome below is zlib's.
enum Zlib {
    enum InflateOutcome: Equatable {
        /// The stream produced at least `expectedCount` bytes (anything beyond is ignored, as
        /// libpng and Pillow ignore trailing image data).
        case complete
        /// The stream ended cleanly, or the input ran out, before `expectedCount` bytes.
        case short(produced: Int)
    }

    /// The most output the windowed reader inflates whole (8 MiB: a 1448² RGBA image).
    static let maxWholeBufferBytes = 8 << 20

    /// Inflates `input` into exactly `expectedCount` bytes.
    static func inflate(_ input: ArraySlice<UInt8>, expectedCount: Int) throws(ImageDecodingError) -> ([UInt8], InflateOutcome) {
        guard expectedCount > 0 else { return ([], .complete) }
        if let whole = inflateWhole(input, expectedCount: expectedCount) { return (whole, .complete) }
        // Short, longer than expected, damaged or with a wrong checksum: zlib says which.
        var output = [UInt8](repeating: 0, count: expectedCount)
        let outcome = try output.withUnsafeMutableBufferPointer { (target) throws(ImageDecodingError) -> InflateOutcome in
            try inflate(input, expectedCount: expectedCount, into: target) { _, _ in }
        }
        return (output, outcome)
    }

    /// Inflates `input` up to `expectedCount` bytes through a small window, handing each piece
    /// and its offset in the stream to `visit` instead of keeping it: the same outcome and errors
    /// as ``inflate(_:expectedCount:)``, in constant memory.
    ///
    /// Up to `maxWholeBytes` of output, a valid stream is first inflated whole with libdeflate
    /// into a temporary buffer and handed over in one piece: at megapixel sizes that is over
    /// twice as fast, for a buffer no larger than the upload itself and freed at once.
    static func inflate(_ input: ArraySlice<UInt8>, expectedCount: Int, window: Int = 1 << 16, maxWholeBytes: Int = maxWholeBufferBytes,
                        visit: (UnsafeBufferPointer<UInt8>, Int) -> Void) throws(ImageDecodingError) -> InflateOutcome {
        guard expectedCount > 0 else { return .complete }
        if expectedCount <= maxWholeBytes, let whole = inflateWhole(input, expectedCount: expectedCount) {
            whole.withUnsafeBufferPointer { visit($0, 0) }
            return .complete
        }
        var buffer = [UInt8](repeating: 0, count: min(window, expectedCount))
        return try buffer.withUnsafeMutableBufferPointer { (target) throws(ImageDecodingError) -> InflateOutcome in
            try inflate(input, expectedCount: expectedCount, into: target, visit: visit)
        }
    }

    /// Inflates into `target`: in place when it holds the whole output, else again and again
    /// from its start, each piece handed to `visit` with its offset in the stream.
    private static func inflate(_ input: ArraySlice<UInt8>, expectedCount: Int, into target: UnsafeMutableBufferPointer<UInt8>,
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

    /// `input` inflated with libdeflate, when it is a valid zlib stream of exactly `expectedCount` bytes.
    private static func inflateWhole(_ input: ArraySlice<UInt8>, expectedCount: Int) -> [UInt8]? {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var result = LIBDEFLATE_BAD_DATA
        let output = [UInt8](unsafeUninitializedCapacity: expectedCount) { target, initialized in
            result = input.withUnsafeBufferPointer { source in
                // A nil size out-pointer: anything but exactly `expectedCount` bytes is a failure.
                libdeflate_zlib_decompress(decompressor, source.baseAddress, source.count, target.baseAddress, expectedCount, nil)
            }
            initialized = result == LIBDEFLATE_SUCCESS ? expectedCount : 0
        }
        return result == LIBDEFLATE_SUCCESS ? output : nil
    }

    /// Compresses `input` as one zlib stream (libdeflate's levels 1–12, zlib's 1–9 mean much the
    /// same); nil only when the compressor cannot be made.
    static func deflate(_ input: [UInt8], level: Int32) -> [UInt8]? {
        guard let compressor = libdeflate_alloc_compressor(level) else { return nil }
        defer { libdeflate_free_compressor(compressor) }
        let capacity = libdeflate_zlib_compress_bound(compressor, input.count)
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { target, initialized in
            written = input.withUnsafeBufferPointer { source in
                libdeflate_zlib_compress(compressor, source.baseAddress, source.count, target.baseAddress, target.count)
            }
            initialized = written
        }
        // The bound always suffices; 0 would mean it did not.
        return written > 0 ? output : nil
    }

    /// CRC-32 of a chunk's type and data, as PNG stores it.
    static func crc(_ parts: ArraySlice<UInt8>...) -> UInt32 {
        var value: UInt32 = 0
        for part in parts {
            value = part.withUnsafeBufferPointer { buffer in
                libdeflate_crc32(value, buffer.baseAddress, buffer.count)
            }
        }
        return value
    }

    private static func step(_ stream: inout z_stream) -> Int32 {
        CLibPNG.inflate(&stream, Z_NO_FLUSH)
    }
}
