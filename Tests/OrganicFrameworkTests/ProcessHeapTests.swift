import Foundation
import Logging
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// Returning the heap's free memory to the system, which `organic serve` does on a timer.
@Suite("Process heap")
struct ProcessHeapTests {
    /// The process's resident memory, from `/proc/self/statm`.
    static func residentBytes() throws -> Int {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        let pages = try #require(fields.count > 1 ? Int(fields[1]) : nil)
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test("a trim hands the pages of freed heap memory back to the system")
    func trimReturnsFreedMemory() throws {
        // 64 KiB blocks come from the heap whatever glibc's mmap threshold. Every other one is
        // freed: each lies between two live blocks, so none can join another or the heap's top
        // (which glibc may return by itself), and only a trim returns their pages.
        let block = 64 << 10
        let count = 4_000
        let blocks = (0..<count).map { _ in
            let pointer = UnsafeMutableRawPointer.allocate(byteCount: block, alignment: 16)
            pointer.initializeMemory(as: UInt8.self, repeating: 1, count: block)
            return pointer
        }
        defer { for index in stride(from: 1, to: count, by: 2) { blocks[index].deallocate() } }
        let peak = try Self.residentBytes()
        for index in stride(from: 0, to: count, by: 2) { blocks[index].deallocate() }
        let freed = (count / 2) * block
        #expect(ProcessHeap.trim(), "glibc's malloc_trim was not found")
        let after = try Self.residentBytes()
        #expect(peak - after > freed / 2, "RSS \(peak >> 20) MiB before freeing \(freed >> 20) MiB and trimming, \(after >> 20) MiB after")
    }

    @Test("the trim service trims once per interval, the first after one interval, until it is cancelled")
    func serviceTrimsEachInterval() async throws {
        let clock = ManualNodeClock()
        let trims = Locked(0)
        let service = HeapTrimService(interval: .seconds(5), clock: clock, logger: Logger(label: "heap-test"), trim: {
            trims.withLock { $0 += 1 }
            return true
        })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            for expected in 1...3 {
                #expect(await eventually { clock.sleeperCount == 1 })
                #expect(trims.withLock { $0 } == expected - 1)
                clock.advance(by: .seconds(5))
                #expect(await eventually { trims.withLock { $0 } == expected })
            }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(trims.withLock { $0 } == 3)
    }
}
