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
        // 64 KiB chunks come from the heap whatever glibc's mmap threshold; a small live block
        // after each keeps a freed chunk from joining the heap's top (which glibc may return by
        // itself), so only a trim returns them.
        let chunk = 64 << 10
        let count = 3_000
        var chunks: [UnsafeMutableRawPointer] = []
        var pins: [UnsafeMutableRawPointer] = []
        for _ in 0..<count {
            let block = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
            block.initializeMemory(as: UInt8.self, repeating: 1, count: chunk)
            chunks.append(block)
            pins.append(UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16))
        }
        defer { for pin in pins { pin.deallocate() } }
        for block in chunks { block.deallocate() }
        let before = try Self.residentBytes()
        #expect(ProcessHeap.trim(), "glibc's malloc_trim was not found")
        let after = try Self.residentBytes()
        #expect(before - after > (count * chunk) / 2, "RSS \(before >> 20) MiB before the trim, \(after >> 20) MiB after")
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
