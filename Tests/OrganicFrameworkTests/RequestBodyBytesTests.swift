import Hummingbird
import NIOCore
@testable import OrganicFramework
import PropertyBased
import Testing

/// Caller bodies are read into one array: every byte in order, whatever the parts and whatever
/// `Content-Length` claimed, and never more than the limit.
@Suite("Request body bytes")
struct RequestBodyBytesTests {
    /// A body arriving as `parts`.
    static func body(_ parts: [[UInt8]]) -> RequestBody {
        RequestBody(asyncSequence: PartSequence(parts: parts.map { ByteBuffer(bytes: $0) }))
    }

    struct PartSequence: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let parts: [ByteBuffer]

        struct AsyncIterator: AsyncIteratorProtocol {
            var rest: ArraySlice<ByteBuffer>
            mutating func next() async -> ByteBuffer? { rest.popFirst() }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: parts[...]) }
    }

    @Test("the parts are joined in order, whether the declared length is right, short, long or missing")
    func joinsParts() async throws {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 0...12)) { seed, count in
            var random = OrganicRandom(seed: seed)
            let parts = (0..<count).map { _ in (0..<Int.random(in: 0...3000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) } }
            let whole = parts.flatMap { $0 }
            for declared in [whole.count, whole.count / 2, whole.count * 2, nil] as [Int?] {
                let read = try? await RequestBodyBytes.read(Self.body(parts), upTo: 40_000, declared: declared)
                #expect(read == whole)
            }
        }
    }

    @Test("a body past the limit is refused as too many bytes, even when it declared less; exactly the limit is read")
    func refusesPastTheLimit() async throws {
        let parts = [[UInt8](repeating: 1, count: 600), [UInt8](repeating: 2, count: 600)]
        await #expect(throws: NIOTooManyBytesError.self) {
            _ = try await RequestBodyBytes.read(Self.body(parts), upTo: 1199, declared: 10)
        }
        await #expect(throws: NIOTooManyBytesError.self) {
            _ = try await RequestBodyBytes.read(Self.body(parts), upTo: 100, declared: nil)
        }
        let exact = try await RequestBodyBytes.read(Self.body(parts), upTo: 1200, declared: 1_000_000)
        #expect(exact == parts[0] + parts[1], "a declared length beyond the limit reserves no more than the limit")
    }
}
