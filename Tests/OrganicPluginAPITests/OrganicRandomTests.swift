import OrganicPluginAPI
import PropertyBased
import Testing

@Suite("OrganicRandom")
struct OrganicRandomTests {
    @Test("the same seed gives the same sequence; different seeds differ")
    func reproducible() async {
        await propertyCheck(input: Gen.uint64()) { seed in
            var a = OrganicRandom(seed: seed), b = OrganicRandom(seed: seed), c = OrganicRandom(seed: seed &+ 1)
            let sa = (0..<8).map { _ in a.next() }
            #expect(sa == (0..<8).map { _ in b.next() })
            #expect(sa != (0..<8).map { _ in c.next() })
        }
    }

    @Test("uniform enough: each of 16 buckets gets 1/16 of 64k draws within 10%")
    func buckets() {
        var random = OrganicRandom(seed: 99)
        var counts = [Int](repeating: 0, count: 16)
        for _ in 0..<65_536 { counts[Int(random.next() >> 60)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 4096) < 410 })
    }

    @Test("split streams are independent of the parent's continuation")
    func split() {
        var parent = OrganicRandom(seed: 5)
        var child = parent.split()
        #expect((0..<4).map { _ in child.next() } != (0..<4).map { _ in parent.next() })
    }
}
