/// One value per case of an enum, found by position: recording on a hot path picks its
/// instrument without hashing or locking.
struct CaseTable<Key: CaseIterable & Equatable, Value: Sendable>: Sendable {
    private let values: [Value]

    init(_ make: (Key) -> Value) {
        values = Key.allCases.map(make)
    }

    subscript(key: Key) -> Value {
        // allCases has as many elements as values; the cases are few.
        var index = 0
        for candidate in Key.allCases {
            if candidate == key { break }
            index += 1
        }
        return values[index]
    }
}
