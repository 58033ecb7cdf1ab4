import OrganicPluginAPI
import PropertyBased
import Testing

@Suite("Validator seed blocks")
struct SeedRangeTests {
    @Test("uid 3 owns [300000, 399999]")
    func block() {
        let range = SeedRange(validatorUID: 3)
        #expect(range.lowerBound == 300_000)
        #expect(range.upperBound == 399_999)
        #expect(range.contains(300_000) && range.contains(399_999))
        #expect(!range.contains(299_999) && !range.contains(400_000))
    }

    @Test("every assigned seed lies in the validator's own block and names its owner")
    func assignedSeedsStayInBlock() async {
        await propertyCheck(input: Gen.int(in: 0...65535), Gen.uint64()) { uid, seed in
            let range = SeedRange(validatorUID: UInt16(uid))
            var context = PerturbationContext(random: OrganicRandom(seed: seed), seeds: range)
            for _ in 0..<20 {
                let assigned = context.nextSeed()
                #expect(range.contains(assigned))
                #expect(SeedRange.owner(of: assigned) == UInt64(uid))
            }
        }
    }

    @Test("blocks of different validators never overlap")
    func disjoint() async {
        await propertyCheck(input: Gen.int(in: 0...65534)) { uid in
            let a = SeedRange(validatorUID: UInt16(uid)), b = SeedRange(validatorUID: UInt16(uid + 1))
            #expect(a.upperBound < b.lowerBound)
        }
    }
}
