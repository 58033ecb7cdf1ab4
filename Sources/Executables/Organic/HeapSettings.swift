#if canImport(Glibc)
import Glibc
#endif

/// Large buffers (images arrive and leave as megabytes of base64) are mapped and unmapped on
/// their own instead of joining the heap: glibc otherwise raises its mmap threshold after the
/// first such buffer is freed, and a node that served some images keeps hundreds of megabytes
/// of heap it no longer uses.
enum HeapSettings {
    /// Allocations of at least this many bytes get their own mapping, returned when freed.
    static let mmapThreshold: Int32 = 1 << 20

    static func apply() {
        #if canImport(Glibc)
        // `mallopt` and `M_MMAP_THRESHOLD` (-3 in glibc's ABI) are in <malloc.h>, which the
        // Glibc module does not export; looked up at run time, and skipped on another libc.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mmapThresholdParameter: Int32 = -3
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThresholdParameter, mmapThreshold)
        #endif
    }
}
