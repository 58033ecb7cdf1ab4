#if canImport(Glibc)
import Glibc
#endif

/// glibc's heap, set for a node whose requests carry megabytes (images arrive and leave as
/// base64). Process-wide, so a node's executable opts in (`organic serve` does):
///
/// ```swift
/// ProcessHeap.configureForServing()
/// node.additionalServices.append(HeapTrimService(clock: node.clock, logger: logger))
/// ```
///
/// By default glibc maps each buffer of 128 KiB or more on its own, until one such buffer is
/// freed; from then on it keeps buffers of that size in the heap and never returns that memory.
/// A mapping costs a page fault for each 4 KiB written and an `munmap` when freed (measured:
/// about 11,500 faults and 20 `munmap`s per image-to-image request, half of the node's CPU);
/// a heap that never gives back holds hundreds of megabytes after some image traffic. Here
/// buffers come from the heap and go back to it, and ``HeapTrimService`` returns the heap's free
/// memory to the system every ``trimInterval``.
public enum ProcessHeap {
    /// Allocations of at least this many bytes get their own mapping, returned when freed
    /// (the largest glibc accepts on 64-bit systems).
    package static let mmapThreshold = 32 << 20
    /// Free memory at the top of the heap beyond this is returned when freed; the rest waits
    /// for the next trim.
    package static let trimThreshold = 64 << 20
    /// How often ``HeapTrimService`` returns the heap's free memory to the system.
    public static let trimInterval: Duration = .seconds(5)

    /// Sets glibc's thresholds (mmap 32 MiB, trim 64 MiB); does nothing on another
    /// libc. False when it could not.
    @discardableResult
    public static func configureForServing() -> Bool {
        // `M_TRIM_THRESHOLD` is -1 and `M_MMAP_THRESHOLD` -3 in glibc's ABI.
        guard let mallopt = symbol("mallopt", as: Mallopt.self) else { return false }
        return mallopt(-3, Int32(mmapThreshold)) == 1 && mallopt(-1, Int32(trimThreshold)) == 1
    }

    /// Returns the heap's free pages to the system (`malloc_trim(0)`); false on another libc.
    @discardableResult
    package static func trim() -> Bool {
        guard let mallocTrim = symbol("malloc_trim", as: MallocTrim.self) else { return false }
        _ = mallocTrim(0)
        return true
    }

    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// `mallopt` and `malloc_trim` are in <malloc.h>, which the Glibc module does not export:
    /// looked up at run time, and absent on another libc.
    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if canImport(Glibc)
        guard let found = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(found, to: type)
        #else
        return nil
        #endif
    }
}
