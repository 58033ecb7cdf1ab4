/// One value per case of an enum, found by comparing the few cases in place: recording on a
/// hot path picks its instrument without hashing, locking or allocating.
struct CaseTable<Key: CaseIterable & Equatable & Sendable, Value: Sendable>: Sendable {
    private let entries: [(key: Key, value: Value)]

    init(_ make: (Key) -> Value) {
        entries = Key.allCases.map { ($0, make($0)) }
    }

    subscript(key: Key) -> Value {
        for entry in entries where entry.key == key { return entry.value }
        // Unreachable: every case has an entry.
        return entries[0].value
    }
}
