import OrganicFramework
import PropertyBased
import Testing

@Suite("Fair queue (deficit round robin)")
struct FairQueueTests {
    @Test("FIFO within a flow")
    func fifo() {
        var queue = FairQueue<Int>()
        for i in 0..<5 { queue.enqueue(i, flow: "a") }
        #expect((0..<5).compactMap { _ in queue.dequeue()?.element } == [0, 1, 2, 3, 4])
        #expect(queue.isEmpty)
    }

    @Test("equal weights alternate between backlogged flows, whatever their backlog")
    func alternate() {
        var queue = FairQueue<Int>()
        for i in 0..<100 { queue.enqueue(i, flow: "flood") }
        for i in 0..<3 { queue.enqueue(1000 + i, flow: "small") }
        let first8 = (0..<8).compactMap { _ in queue.dequeue()?.flow }
        #expect(first8.filter { $0 == "small" }.count == 3)
        #expect(first8.prefix(6).filter { $0 == "small" }.count == 3)
    }

    @Test("a flow of weight 4 gets four turns per turn of a flow of weight 1")
    func weighted() {
        var queue = FairQueue<Int>()
        for i in 0..<400 { queue.enqueue(i, flow: "priority", weight: 4); queue.enqueue(i, flow: "standard", weight: 1) }
        let served = (0..<100).compactMap { _ in queue.dequeue()?.flow }
        #expect(served.filter { $0 == "priority" }.count == 80)
    }

    @Test("over random arrivals every backlogged flow's share stays within one quantum of its weight share")
    func fairnessProperty() async {
        let weights = Gen.double(in: 0.25...8).array(of: 2...6)
        await propertyCheck(count: 200, input: weights, Gen.int(in: 50...400)) { weights, served in
            var queue = FairQueue<Int>()
            // Every flow stays backlogged throughout.
            for (index, weight) in weights.enumerated() {
                for item in 0..<(served + 10) { queue.enqueue(item, flow: "f\(index)", weight: weight) }
            }
            var counts = [String: Int]()
            for _ in 0..<served {
                guard let next = queue.dequeue() else { break }
                counts[next.flow, default: 0] += 1
            }
            let total = weights.reduce(0, +)
            for (index, weight) in weights.enumerated() {
                let expected = Double(served) * weight / total
                let actual = Double(counts["f\(index)"] ?? 0)
                // DRR's bound: a flow is off by less than one round's quantum (its weight, plus
                // one element of carried-over credit), scaled by how many flows share a round.
                #expect(abs(actual - expected) <= weight + 1 + Double(weights.count) * weight / total * 8 + 2)
            }
        }
    }

    @Test("count is exact through enqueues, dequeues and removals")
    func counting() async {
        await propertyCheck(input: Gen.int(in: 0...3).array(of: 0...200)) { flows in
            var queue = FairQueue<Int>()
            for (i, f) in flows.enumerated() { queue.enqueue(i, flow: "f\(f)") }
            queue.removeAll { $0 % 3 == 0 }
            let expected = flows.indices.filter { $0 % 3 != 0 }.count
            #expect(queue.count == expected)
            var drained = 0
            while queue.dequeue() != nil { drained += 1 }
            #expect(drained == expected)
            #expect(queue.isEmpty)
        }
    }
}
