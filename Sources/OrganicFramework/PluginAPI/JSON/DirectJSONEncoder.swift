import Foundation

/// Encodes `Encodable` values straight into UTF-8 bytes, in the order the values' `encode(to:)`
/// writes them, instead of building a tree of values first as Foundation's `JSONEncoder` does.
///
/// It exists for the request path: every answer, stream event and miner request is encoded once
/// per request, and Foundation's encoder costs more than the rest of a relayed stream event.
/// Output is what `JSONEncoder()` with its default strategies and `.withoutEscapingSlashes`
/// writes (numbers, string escapes, `Data` as base64, `URL` as its absolute string, dates as
/// seconds since 2001), except that keys keep the order they were written in (Foundation's order
/// on Linux is a hash order). Slashes are not escaped: base64 images are full of them, and no
/// JSON reader needs it.
///
/// Synthesized and hand-written `Encodable` conformances that write containers one after the
/// other take the direct path. What it cannot write in order (a nested container written to after
/// a later sibling, `superEncoder()`, a value written twice, `Decimal`, non-finite numbers, a
/// top-level value that writes nothing) falls back to Foundation for the whole value, so the result
/// (or the error) is always Foundation's.
package struct DirectJSONEncoder: Sendable {
    package init() {}

    /// The encoder whose output this one matches, for what cannot be written in order.
    static var foundation: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    package func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(value, into: &bytes)
        return bytes
    }

    /// Appends `value`'s JSON text to `bytes`; on an error `bytes` is left as it was.
    package func encode<T: Encodable>(_ value: T, into bytes: inout [UInt8]) throws {
        guard try appendDirectly(value, to: &bytes) else {
            bytes.append(contentsOf: try Self.foundation.encode(value))
            return
        }
    }

    /// Appends `value`'s text and returns true, or appends nothing and returns false when the value
    /// cannot be written in order (the caller then asks Foundation).
    func appendDirectly<T: Encodable>(_ value: T, to bytes: inout [UInt8]) throws -> Bool {
        let writer = JSONByteWriter()
        let start = bytes.count
        swap(&writer.bytes, &bytes)
        var written = false
        defer {
            swap(&writer.bytes, &bytes)
            if !written { bytes.removeSubrange(start...) }
        }
        try writer.write(value)
        writer.close(downTo: 0)
        written = !writer.unsupported && writer.bytes.count > start
        return written
    }
}

/// The text being written and the containers still open, innermost last. Containers are written
/// as they are opened; one is closed when an outer container (or the end) is written next.
final class JSONByteWriter {
    struct Frame {
        /// Where the encoder that opened it started writing: identifies the frame.
        var start: Int
        var closer: UInt8
        var count: Int
        /// An object's member being written: the frame's part of a nested value's coding path
        /// (an array's is its element count). Kept here rather than in a path built per value,
        /// which cost an allocation for every nested value.
        var key: (any CodingKey)?
    }

    struct State {
        var bytes: [UInt8] = []
        var frames: [Frame] = []
        /// Set when the value cannot be written in order; the caller falls back to Foundation.
        var unsupported = false
    }

    /// Held through a pointer: a class's stored properties pay a dynamic exclusivity check on
    /// every access, which cost more than the writing itself. Only this writer touches it.
    private let state: UnsafeMutablePointer<State>

    init() {
        state = .allocate(capacity: 1)
        state.initialize(to: State())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    var bytes: [UInt8] {
        get { state.pointee.bytes }
        _modify { yield &state.pointee.bytes }
    }

    var frames: [Frame] {
        get { state.pointee.frames }
        _modify { yield &state.pointee.frames }
    }

    var unsupported: Bool {
        get { state.pointee.unsupported }
        _modify { yield &state.pointee.unsupported }
    }

    /// Closes every frame deeper than `depth`.
    func close(downTo depth: Int) {
        while frames.count > depth {
            bytes.append(frames.removeLast().closer)
        }
    }

    /// Opens a container for the encoder that started at `start` (at `depth`), or returns the one
    /// it already opened (a subclass and its superclass share one); nil when that is not possible.
    func open(start: Int, depth: Int, opener: UInt8, closer: UInt8) -> Int? {
        if bytes.count == start, frames.count == depth {
            bytes.append(opener)
            frames.append(Frame(start: start, closer: closer, count: 0, key: nil))
            return depth
        }
        close(downTo: depth + 1)
        if frames.count == depth + 1, frames[depth].start == start, frames[depth].closer == closer {
            return depth
        }
        unsupported = true
        return nil
    }

    /// Prepares the frame at `depth` (opened at `start`) for its next element: closes the
    /// containers nested in it and writes the separator. False when that frame is closed.
    func element(depth: Int, start: Int) -> Bool {
        guard !unsupported, frames.count > depth, frames[depth].start == start else {
            unsupported = true
            return false
        }
        close(downTo: depth + 1)
        if frames[depth].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[depth].count += 1
        return true
    }

    /// Writes the name of the member of the frame at `depth` about to be written.
    func key(_ key: some CodingKey, depth: Int) {
        string(key.stringValue)
        bytes.append(UInt8(ascii: ":"))
        frames[depth].key = key
    }

    /// The coding path of a value written inside the `depth` outermost frames (values are written
    /// in order, so those frames are its ancestors).
    func codingPath(depth: Int) -> [any CodingKey] {
        frames.prefix(depth).map { frame in frame.key ?? TapeIndexKey(frame.count - 1) }
    }

    // MARK: Values

    func write<T: Encodable>(_ value: T) throws {
        // Types Foundation writes in its own way, and arrays that are common in answers.
        if T.self == String.self, let value = value as? String { return string(value) }
        if T.self == Double.self, let value = value as? Double { return double(value) }
        if T.self == [Double].self, let values = value as? [Double] { return array(values, double) }
        if T.self == [Float].self, let values = value as? [Float] { return array(values, float) }
        if T.self == [String].self, let values = value as? [String] { return array(values, string) }
        if T.self == Data.self, let data = value as? Data { return string(data.base64EncodedString()) }
        if T.self == URL.self, let url = value as? URL { return string(url.absoluteString) }
        if T.self == Decimal.self {
            unsupported = true
            return
        }
        let start = bytes.count
        let depth = frames.count
        try value.encode(to: DirectValueEncoder(writer: self, start: start, depth: depth))
        close(downTo: depth)
        // A nested value that writes nothing is an empty object, as in Foundation.
        if bytes.count == start, depth > 0 { bytes.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
    }

    private func array<E>(_ values: [E], _ write: (E) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(value)
            if unsupported { return }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    func null() { JSONText.null(into: &bytes) }

    func bool(_ value: Bool) { JSONText.bool(value, into: &bytes) }

    func integer(_ value: some BinaryInteger) { JSONText.integer(value, into: &bytes) }

    func double(_ value: Double) {
        guard value.isFinite else {
            unsupported = true
            return
        }
        JSONText.number(value.description, into: &bytes)
    }

    func float(_ value: Float) {
        guard value.isFinite else {
            unsupported = true
            return
        }
        JSONText.number(value.description, into: &bytes)
    }

    func string(_ value: String) { JSONText.string(value, into: &bytes) }
}

/// The encoder handed to one value's `encode(to:)`: it may open one container (or write one
/// single value) where the writer stood when the value began.
struct DirectValueEncoder: Encoder {
    let writer: JSONByteWriter
    /// Where this value begins in the text, and how many containers were open around it.
    let start: Int
    let depth: Int

    var codingPath: [any CodingKey] { writer.codingPath(depth: depth) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let frame = writer.open(start: start, depth: depth, opener: UInt8(ascii: "{"), closer: UInt8(ascii: "}"))
        return KeyedEncodingContainer(DirectKeyedContainer<Key>(writer: writer, start: start, depth: frame ?? depth))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let frame = writer.open(start: start, depth: depth, opener: UInt8(ascii: "["), closer: UInt8(ascii: "]"))
        return DirectUnkeyedContainer(writer: writer, start: start, depth: frame ?? depth)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        DirectSingleValueContainer(writer: writer, start: start, depth: depth)
    }
}

struct DirectKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONByteWriter
    let start: Int
    let depth: Int

    var codingPath: [any CodingKey] { writer.codingPath(depth: depth) }

    private func begin(_ key: Key) -> Bool {
        guard writer.element(depth: depth, start: start) else { return false }
        writer.key(key, depth: depth)
        return true
    }

    mutating func encodeNil(forKey key: Key) throws { if begin(key) { writer.null() } }
    mutating func encode(_ value: Bool, forKey key: Key) throws { if begin(key) { writer.bool(value) } }
    mutating func encode(_ value: String, forKey key: Key) throws { if begin(key) { writer.string(value) } }
    mutating func encode(_ value: Double, forKey key: Key) throws { if begin(key) { writer.double(value) } }
    mutating func encode(_ value: Float, forKey key: Key) throws { if begin(key) { writer.float(value) } }
    mutating func encode(_ value: Int, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: Int16, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: Int32, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: Int64, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: UInt, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { if begin(key) { writer.integer(value) } }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { if begin(key) { writer.integer(value) } }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        guard begin(key) else { return }
        try writer.write(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        _ = begin(key)
        return DirectValueEncoder(writer: writer, start: writer.bytes.count, depth: depth + 1)
            .container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        _ = begin(key)
        return DirectValueEncoder(writer: writer, start: writer.bytes.count, depth: depth + 1).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { unsupportedEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { unsupportedEncoder() }

    private func unsupportedEncoder() -> any Encoder {
        writer.unsupported = true
        return DirectValueEncoder(writer: writer, start: -1, depth: depth + 1)
    }
}

/// The unkeyed and the single-value container write each scalar the same way, once `begin()`
/// says the value may be written there in order.
protocol DirectKeylessContainer {
    var writer: JSONByteWriter { get }
    /// Whether the next value may be written now (the unkeyed container also counts it).
    mutating func begin() -> Bool
}

extension DirectKeylessContainer {
    mutating func encodeNil() throws { if begin() { writer.null() } }
    mutating func encode(_ value: Bool) throws { if begin() { writer.bool(value) } }
    mutating func encode(_ value: String) throws { if begin() { writer.string(value) } }
    mutating func encode(_ value: Double) throws { if begin() { writer.double(value) } }
    mutating func encode(_ value: Float) throws { if begin() { writer.float(value) } }
    mutating func encode(_ value: Int) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: Int8) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: Int16) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: Int32) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: Int64) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: UInt) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: UInt8) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: UInt16) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: UInt32) throws { if begin() { writer.integer(value) } }
    mutating func encode(_ value: UInt64) throws { if begin() { writer.integer(value) } }
}

struct DirectUnkeyedContainer: UnkeyedEncodingContainer, DirectKeylessContainer {
    let writer: JSONByteWriter
    let start: Int
    let depth: Int
    private(set) var count = 0

    init(writer: JSONByteWriter, start: Int, depth: Int) {
        self.writer = writer
        self.start = start
        self.depth = depth
    }

    var codingPath: [any CodingKey] { writer.codingPath(depth: depth) }

    mutating func begin() -> Bool {
        guard writer.element(depth: depth, start: start) else { return false }
        count += 1
        return true
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        guard begin() else { return }
        try writer.write(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        _ = begin()
        return DirectValueEncoder(writer: writer, start: writer.bytes.count, depth: depth + 1)
            .container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        _ = begin()
        return DirectValueEncoder(writer: writer, start: writer.bytes.count, depth: depth + 1).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        writer.unsupported = true
        return DirectValueEncoder(writer: writer, start: -1, depth: depth + 1)
    }
}

/// Writes the one value of its encoder; a second value is not possible in order.
struct DirectSingleValueContainer: SingleValueEncodingContainer, DirectKeylessContainer {
    let writer: JSONByteWriter
    let start: Int
    let depth: Int

    var codingPath: [any CodingKey] { writer.codingPath(depth: depth) }

    func begin() -> Bool {
        guard !writer.unsupported, writer.bytes.count == start, writer.frames.count == depth else {
            writer.unsupported = true
            return false
        }
        return true
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        guard begin() else { return }
        try writer.write(value)
    }
}
