/// Edited copies of a compact JSON document, for checking that a hand-written reader
/// (``JSONReadable``) accepts and refuses what its `Decodable` conformance does: each object member
/// in turn removed, set to `null`, and set to a value of another kind.
package enum JSONDocumentVariants {
    /// At most `limit` variants of `bytes`, which must be compact JSON (no whitespace), as the
    /// node's encoders write it. Empty when `bytes` is not JSON.
    package static func of(_ bytes: [UInt8], limit: Int = 256) -> [[UInt8]] {
        guard let tape = try? JSONTape.parse(bytes) else { return [] }
        let tokens = tape.tokens
        // Where each value ends in the text (exclusive), for the compact form.
        func end(_ index: Int) -> Int {
            let token = tokens[index]
            switch token.kind {
            case .string: return Int(token.offset + token.length) + 1
            case .object, .array:
                guard token.length > 0 else { return Int(token.offset) + 2 }
                // The last child's end, then the closing bracket.
                var child = index + 1
                var last = child
                for _ in 0..<Int(token.length) {
                    last = token.kind == .object ? child + 1 : child
                    child = tape.after(last)
                }
                return end(last) + 1
            default: return Int(token.offset + token.length)
            }
        }
        func start(_ index: Int) -> Int {
            let token = tokens[index]
            return token.kind == .string ? Int(token.offset) - 1 : Int(token.offset)
        }
        var variants: [[UInt8]] = []
        func add(_ range: Range<Int>, _ replacement: some Collection<UInt8>) {
            guard variants.count < limit else { return }
            var copy = bytes
            copy.replaceSubrange(range, with: replacement)
            variants.append(copy)
        }
        for (index, token) in tokens.enumerated() where token.kind == .object && variants.count < limit {
            var name = index + 1
            for position in 0..<Int(token.length) {
                let value = name + 1
                let member = start(name)..<end(value)
                // Without the member, and its separating comma.
                if position > 0 {
                    add((member.lowerBound - 1)..<member.upperBound, [])
                } else if token.length > 1 {
                    add(member.lowerBound..<(member.upperBound + 1), [])
                } else {
                    add(member, [])
                }
                let valueRange = start(value)..<end(value)
                if tokens[value].kind != .null { add(valueRange, Array("null".utf8)) }
                // A value of another kind: a number for a string, a string for anything else.
                add(valueRange, Array((tokens[value].kind == .string ? "7" : "\"x\"").utf8))
                name = tape.after(value)
            }
        }
        return variants
    }
}
