import DequeModule

/// Weighted fair queueing across flows by deficit round robin (DRR), O(1) per operation.
///
/// Each flow (an API key, say) has its own FIFO and a weight. Flows take turns; on its turn a
/// flow earns `weight` credits and is served one element per credit, so over time each
/// backlogged flow receives service in proportion to its weight, whatever its arrival rate.
/// A flow that empties loses its unused credit, so idling does not bank service.
public struct FairQueue<Element>: Sendable where Element: Sendable {
    struct Flow {
        var items = Deque<Element>()
        var weight: Double
        var deficit = 0.0
        /// Whether the flow already received its quantum for the current turn.
        var inTurn = false
    }

    private var flows: [String: Flow] = [:]
    /// Backlogged flows in service order; the head is the flow whose turn it is.
    private var ring = Deque<String>()
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Number of flows with queued elements.
    public var backloggedFlows: Int { ring.count }

    /// Appends `element` to `flow`'s FIFO. `weight` (> 0) updates the flow's share.
    public mutating func enqueue(_ element: Element, flow: String, weight: Double = 1) {
        let weight = weight.isFinite ? max(weight, 0.01) : 1
        if flows[flow] == nil {
            flows[flow] = Flow(weight: weight)
        }
        flows[flow]?.weight = weight
        if flows[flow]?.items.isEmpty ?? true { ring.append(flow) }
        flows[flow]?.items.append(element)
        count += 1
    }

    /// Removes and returns the next element in fair order.
    public mutating func dequeue() -> (flow: String, element: Element)? {
        while let head = ring.first {
            guard var flow = flows[head] else {
                ring.removeFirst()
                continue
            }
            if !flow.inTurn {
                flow.deficit += flow.weight
                flow.inTurn = true
            }
            if flow.deficit >= 1, let element = flow.items.popFirst() {
                flow.deficit -= 1
                count -= 1
                if flow.items.isEmpty {
                    ring.removeFirst()
                    flows[head] = nil
                } else {
                    flows[head] = flow
                }
                return (head, element)
            }
            // Turn over: keep the remaining credit and go to the back of the line.
            flow.inTurn = false
            flows[head] = flow
            ring.removeFirst()
            ring.append(head)
        }
        return nil
    }

    /// Removes every element for which `shouldRemove` is true (O(n); for cancellations).
    public mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        for (key, var flow) in flows {
            let before = flow.items.count
            flow.items.removeAll(where: shouldRemove)
            count -= before - flow.items.count
            if flow.items.isEmpty {
                flows[key] = nil
                ring.removeAll { $0 == key }
            } else {
                flows[key] = flow
            }
        }
    }
}
