/// Changes to the members of a JSON document, made on its text without decoding it: set a member
/// (replaced where present, added at the end of its object where not), set it to `null`, or
/// remove it. Everything the edits do not touch is copied byte for byte.
///
/// A streaming endpoint returns these from ``Endpoint/callerChunkEdits(for:caller:)`` when a
/// caller's chunk is the miner's with a few members changed:
///
/// ```swift
/// var edits = JSONEdits()
/// edits.keepOnly(["id", "object", "created", "model", "choices"])   // nothing a miner adds
/// edits.set("model", to: request.model)
/// if caller.logprobs != true { edits.setNull(["choices", .eachElement, "logprobs"]) }
/// ```
///
/// A member gets one edit: a later edit of the same path replaces an earlier one, and an edit of
/// a member (`a`) and edits below it (`a.b`) do not combine: the later wins. A path must end in
/// a member name; one that does not is ignored and listed in ``ignoredPaths``. Where a path meets
/// a value of another kind (an array where it names a member), or a member that is absent on the
/// way down, nothing is changed.
public struct JSONEdits: Sendable {
    /// What happens to one member.
    indirect enum Action: Sendable {
        /// Its value becomes this JSON text.
        case set([UInt8])
        case remove
        /// Edits inside its value, when that is an object.
        case object(ObjectEdits)
        /// Edits inside every element of its value, when that is an array: `.object` or `.elements`.
        case elements(Action)
    }

    /// The edits of one object's members, in the order they were first made.
    struct ObjectEdits: Sendable {
        /// `name` is the member's name as UTF-8, `quoted` as JSON text (for a member added).
        var members: [(name: [UInt8], quoted: [UInt8], action: Action)] = []
        /// When set, members without an edit are kept only if named here (UTF-8).
        var kept: [[UInt8]]?

        func index(of name: [UInt8]) -> Int? { members.firstIndex { $0.name == name } }

        mutating func store(_ name: String, _ action: Action, at position: Int?) {
            if let position {
                members[position].action = action
            } else {
                var quoted: [UInt8] = []
                JSONText.string(name, into: &quoted)
                members.append((Array(name.utf8), quoted, action))
            }
        }

        /// Calls `body` with the edits of the object at `path` below this one (made as needed);
        /// false when the path cannot name an object.
        mutating func object(at path: ArraySlice<JSONPath.Component>, _ body: (inout ObjectEdits) -> Void) -> Bool {
            guard let first = path.first else {
                body(&self)
                return true
            }
            guard case .member(let name) = first else { return false }
            let position = index(of: Array(name.utf8))
            var action = position.map { members[$0].action }
            guard JSONEdits.modify(&action, below: path.dropFirst(), body), let action else { return false }
            store(name, action, at: position)
            return true
        }
    }

    /// `action` (a member's, or an array element's) made to hold the edits of the object at `path` below it.
    static func modify(_ action: inout Action?, below path: ArraySlice<JSONPath.Component>, _ body: (inout ObjectEdits) -> Void) -> Bool {
        if case .eachElement? = path.first {
            var inner: Action?
            if case .elements(let existing)? = action { inner = existing }
            guard modify(&inner, below: path.dropFirst(), body), let inner else { return false }
            action = .elements(inner)
            return true
        }
        var object = ObjectEdits()
        if case .object(let existing)? = action { object = existing }
        guard object.object(at: path, body) else { return false }
        action = .object(object)
        return true
    }

    var root = ObjectEdits()

    /// Paths that were ignored because they do not end in a member name (or, for ``keepOnly(_:at:)``,
    /// do not name an object).
    public private(set) var ignoredPaths: [JSONPath] = []

    public init() {}

    /// Whether no edit was made (an ignored path is not an edit).
    public var isEmpty: Bool { root.members.isEmpty && root.kept == nil }

    /// Removes every member of the object at `path` (the document itself by default) except
    /// `names` and the members other edits name: what a caller receives is then only what the
    /// endpoint's types describe, whatever else an untrusted miner adds. A path ending in
    /// `.eachElement` names every object of an array.
    public mutating func keepOnly(_ names: [String], at path: JSONPath = JSONPath([])) {
        let kept = names.map { Array($0.utf8) }
        if !root.object(at: path.components[...], { $0.kept = kept }) { ignoredPaths.append(path) }
    }

    /// Sets the member at `path` to the string `value`.
    public mutating func set(_ path: JSONPath, to value: String) {
        var text: [UInt8] = []
        JSONText.string(value, into: &text)
        add(path, .set(text))
    }

    /// Sets the member at `path` to `value`, written as the node writes JSON.
    public mutating func set(_ path: JSONPath, to value: some Encodable) throws {
        add(path, .set(try DirectJSONEncoder().encode(value)))
    }

    /// Sets the member at `path` to `null`, adding it where absent.
    public mutating func setNull(_ path: JSONPath) {
        add(path, .set(Array("null".utf8)))
    }

    /// Removes the member at `path` where present.
    public mutating func remove(_ path: JSONPath) {
        add(path, .remove)
    }

    /// Gives the member a path ends in its action, in the object the rest of the path names.
    private mutating func add(_ path: JSONPath, _ action: Action) {
        guard case .member(let name)? = path.components.last,
              root.object(at: path.components.dropLast(), { $0.store(name, action, at: $0.index(of: Array(name.utf8))) })
        else {
            ignoredPaths.append(path)
            return
        }
    }
}

extension JSONEdits {
    /// Appends the edited text of `bytes`, a document that `tape` was parsed from, to `out`.
    package func apply(to bytes: [UInt8], tape: JSONTape, into out: inout [UInt8]) {
        apply(to: TapeDocument(bytes: bytes, tokens: tape.tokens), into: &out)
    }

    /// Appends the edited text of `document` (the one the chunk was decoded from) to `out`.
    /// Containers on an edited path are written again without their whitespace; every other
    /// value, and each member's name and colon, are copied as they were.
    func apply(to document: TapeDocument, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + document.bytes.count + 64)
        // The walk reads through buffer pointers: through the class's arrays it cost about a quarter more.
        document.bytes.withUnsafeBufferPointer { text in
            document.tokens.withUnsafeBufferPointer { tokens in
                let splicer = Splicer(text: text, tokens: tokens, document: document)
                guard let first = tokens.first, first.kind == .object else {
                    out.append(contentsOf: text)
                    return
                }
                splicer.object(at: 0, root, into: &out)
            }
        }
    }

    /// Walks a parsed document and writes its edited text.
    private struct Splicer {
        let text: UnsafeBufferPointer<UInt8>
        let tokens: UnsafeBufferPointer<JSONTapeToken>
        /// The same document, to unescape names with.
        let document: TapeDocument

        func after(_ index: Int) -> Int {
            let token = tokens[index]
            return token.kind == .object || token.kind == .array ? Int(token.next) : index + 1
        }

        /// Where the value at `index` starts in the text (a string at its opening quote).
        func start(_ index: Int) -> Int {
            let token = tokens[index]
            return token.kind == .string ? Int(token.offset) - 1 : Int(token.offset)
        }

        /// Where the value at `index` ends in the text (just past a string's quote or a container's bracket).
        func end(_ index: Int) -> Int {
            let token = tokens[index]
            switch token.kind {
            case .string:
                return Int(token.offset) + Int(token.length) + 1
            case .object, .array:
                // Past the last child (or the opening bracket) and the whitespace before the closing one.
                var last = -1
                var child = index + 1
                while child < Int(token.next) {
                    last = child
                    child = after(child)
                }
                var position = last < 0 ? Int(token.offset) + 1 : end(last)
                while text[position] != UInt8(ascii: "}") && text[position] != UInt8(ascii: "]") { position += 1 }
                return position + 1
            case .number, .true, .false, .null:
                return Int(token.offset) + Int(token.length)
            }
        }

        func copy(_ range: Range<Int>, into out: inout [UInt8]) {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[range]))
        }

        /// The name of the key at `index` with its escapes resolved; nil when it has none.
        func unescapedName(_ index: Int) -> [UInt8]? {
            let token = tokens[index]
            guard token.escaped else { return nil }
            return document.unescape(Int(token.offset)..<(Int(token.offset) + Int(token.length)))
        }

        /// Whether the key at `index` (`unescaped`, when it has escapes) is `name` (UTF-8). Names
        /// are short: compared byte by byte in place.
        func key(_ index: Int, _ unescaped: [UInt8]?, is name: [UInt8]) -> Bool {
            if let unescaped { return unescaped == name }
            let token = tokens[index]
            let range = Int(token.offset)..<(Int(token.offset) + Int(token.length))
            guard name.count == range.count else { return false }
            return name.withUnsafeBufferPointer { name in
                var offset = 0
                while offset < name.count, text[range.lowerBound &+ offset] == name[offset] { offset &+= 1 }
                return offset == name.count
            }
        }

        /// The edit for the key at `index`, by its name.
        func edit(forKey index: Int, _ unescaped: [UInt8]?, in edits: ObjectEdits) -> Int? {
            edits.members.firstIndex { key(index, unescaped, is: $0.name) }
        }

        /// Whether the object at `index` has a member named as the edit at `which`.
        func has(_ which: Int, of edits: ObjectEdits, inObjectAt index: Int) -> Bool {
            var key = index + 1
            while key < Int(tokens[index].next) {
                if edit(forKey: key, unescapedName(key), in: edits) == which { return true }
                key = after(key + 1)
            }
            return false
        }

        func object(at index: Int, _ edits: ObjectEdits, into out: inout [UInt8]) {
            out.append(UInt8(ascii: "{"))
            var wrote = false
            // The edits met (the first 64; past them, looked up again at the end).
            var met: UInt64 = 0
            var key = index + 1
            let end = Int(tokens[index].next)
            while key < end {
                let value = key + 1
                let next = after(value)
                defer { key = next }
                let unescaped = unescapedName(key)
                guard let which = edit(forKey: key, unescaped, in: edits) else {
                    if let kept = edits.kept, !kept.contains(where: { self.key(key, unescaped, is: $0) }) { continue }
                    if wrote { out.append(UInt8(ascii: ",")) }
                    wrote = true
                    copy(start(key)..<self.end(value), into: &out)
                    continue
                }
                if which < 64 { met |= 1 << UInt64(which) }
                if case .remove = edits.members[which].action { continue }
                if wrote { out.append(UInt8(ascii: ",")) }
                wrote = true
                copy(start(key)..<start(value), into: &out)
                self.value(at: value, edits.members[which].action, into: &out)
            }
            for which in edits.members.indices {
                guard case .set(let text) = edits.members[which].action else { continue }
                let present = which < 64 ? met & (1 << UInt64(which)) != 0 : has(which, of: edits, inObjectAt: index)
                if present { continue }
                if wrote { out.append(UInt8(ascii: ",")) }
                wrote = true
                out.append(contentsOf: edits.members[which].quoted)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: text)
            }
            out.append(UInt8(ascii: "}"))
        }

        func elements(at index: Int, _ action: Action, into out: inout [UInt8]) {
            out.append(UInt8(ascii: "["))
            var element = index + 1
            let end = Int(tokens[index].next)
            while element < end {
                if element > index + 1 { out.append(UInt8(ascii: ",")) }
                value(at: element, action, into: &out)
                element = after(element)
            }
            out.append(UInt8(ascii: "]"))
        }

        /// Writes the value at `index` with `action` applied (a value of another kind than the
        /// action expects is copied as it is).
        func value(at index: Int, _ action: Action, into out: inout [UInt8]) {
            switch action {
            case .set(let text):
                out.append(contentsOf: text)
            case .object(let edits) where tokens[index].kind == .object:
                object(at: index, edits, into: &out)
            case .elements(let inner) where tokens[index].kind == .array:
                elements(at: index, inner, into: &out)
            case .remove, .object, .elements:
                copy(start(index)..<end(index), into: &out)
            }
        }
    }
}
