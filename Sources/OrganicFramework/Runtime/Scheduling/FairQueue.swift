package import DequeModule

/// Weighted fair queueing across flows by deficit round robin (DRR), O(1) per operation.
///
/// Each flow (an API key, say) has its own FIFO and a weight. Flows take turns; on its turn a
/// flow earns `weight` credits and is served one element per credit, so over time each
/// backlogged flow receives service in proportion to its weight, whatever its arrival rate.
/// A flow that empties loses its unused credit, so idling does not bank service.
///
/// Flows are interned to small integers on first use so that dequeueing hashes nothing; the
/// slot of a flow that empties is reused by the next new flow.
///
/// Inlinable, so that callers in other modules get code specialised for their element type
/// (unspecialised generic Deque code costs about a third of the time per operation).
package struct FairQueue<Element>: Sendable where Element: Sendable {
    @usableFromInline
    struct Flow: Sendable {
        @usableFromInline var name: String
        @usableFromInline var items = Deque<Element>()
        @usableFromInline var weight: Double
        @usableFromInline var deficit = 0.0
        /// Whether the flow already received its quantum for the current turn.
        @usableFromInline var inTurn = false

        @inlinable
        init(name: String, weight: Double) {
            self.name = name
            self.weight = weight
        }
    }

    @usableFromInline var flows: [Flow] = []
    @usableFromInline var slots: [String: Int] = [:]
    @usableFromInline var freeSlots: [Int] = []
    /// Backlogged flows in service order; the head is the flow whose turn it is.
    @usableFromInline var ring = Deque<Int>()
    @usableFromInline var storedCount = 0

    /// Number of queued elements.
    @inlinable
    package var count: Int { storedCount }

    @inlinable
    package init() {}

    @inlinable
    package var isEmpty: Bool { storedCount == 0 }

    /// Number of flows with queued elements.
    @inlinable
    package var backloggedFlows: Int { ring.count }

    /// Appends `element` to `flow`'s FIFO. `weight` (> 0) updates the flow's share.
    @inlinable
    package mutating func enqueue(_ element: Element, flow: String, weight: Double = 1) {
        let weight = weight.isFinite ? max(weight, 0.01) : 1
        let slot: Int
        if let existing = slots[flow] {
            slot = existing
        } else if let reused = freeSlots.popLast() {
            slot = reused
            flows[slot] = Flow(name: flow, weight: weight)
            slots[flow] = slot
        } else {
            slot = flows.count
            flows.append(Flow(name: flow, weight: weight))
            slots[flow] = slot
        }
        flows[slot].weight = weight
        if flows[slot].items.isEmpty { ring.append(slot) }
        flows[slot].items.append(element)
        storedCount += 1
    }

    /// Removes and returns the next element in fair order.
    @inlinable
    package mutating func dequeue() -> (flow: String, element: Element)? {
        while let head = ring.first {
            if !flows[head].inTurn {
                flows[head].deficit += flows[head].weight
                flows[head].inTurn = true
            }
            if flows[head].deficit >= 1, let element = flows[head].items.popFirst() {
                flows[head].deficit -= 1
                storedCount -= 1
                let name = flows[head].name
                if flows[head].items.isEmpty { retire(head) }
                return (name, element)
            }
            if flows[head].items.isEmpty {
                retire(head)
                continue
            }
            // Turn over: keep the remaining credit and go to the back of the line.
            flows[head].inTurn = false
            ring.removeFirst()
            ring.append(head)
        }
        return nil
    }

    /// Removes every element for which `shouldRemove` is true (O(n); for cancellations).
    @inlinable
    package mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        for slot in Array(ring) {
            let before = flows[slot].items.count
            flows[slot].items.removeAll(where: shouldRemove)
            storedCount -= before - flows[slot].items.count
            if flows[slot].items.isEmpty {
                ring.removeAll { $0 == slot }
                slots[flows[slot].name] = nil
                flows[slot].deficit = 0
                flows[slot].inTurn = false
                freeSlots.append(slot)
            }
        }
    }

    /// Takes the head flow, now empty, out of service and frees its slot.
    @inlinable
    mutating func retire(_ head: Int) {
        ring.removeFirst()
        slots[flows[head].name] = nil
        flows[head].deficit = 0
        flows[head].inTurn = false
        freeSlots.append(head)
    }
}
