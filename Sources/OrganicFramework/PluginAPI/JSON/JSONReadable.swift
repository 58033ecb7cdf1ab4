/// A type that reads itself from JSON without `Decodable`'s containers.
///
/// The node decodes every event of every stream it relays; through `Decodable` a small chunk costs
/// microseconds of container boxes and generic lookups, several times the reading itself. A chunk
/// type that conforms is read through ``init(json:)`` instead, wherever the node decodes it.
///
/// The reader must accept exactly the documents `init(from:)` accepts and produce the same value,
/// so callers and miners cannot tell which ran. ``PluginConformance`` checks this for an
/// endpoint's chunk types: conform, then run the suite.
///
/// ```swift
/// extension Delta: JSONReadable {
///     init(json: JSONReader) throws {
///         var content: String?
///         try json.members { name, value in
///             switch name {
///             case "content": content = try value.optional { try $0.string() }
///             default: break
///             }
///         }
///         self.init(content: content)
///     }
/// }
/// ```
public protocol JSONReadable: Decodable {
    init(json: JSONReader) throws
}

/// A type that writes itself as JSON without `Encodable`'s containers: the counterpart of
/// ``JSONReadable`` for what the node writes per event (an endpoint's caller chunk).
///
/// The text must be what `encode(to:)` writes through the node's encoder: the same members in
/// the same order, the same numbers. ``PluginConformance`` compares the two.
public protocol JSONWritable: Encodable {
    func write(json: inout JSONWriter) throws
}
