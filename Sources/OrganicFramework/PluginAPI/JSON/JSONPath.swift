/// Where a ``JSONEdits`` edit applies: member names from the top-level object down, with
/// ``Component/eachElement`` stepping into every element of an array.
///
/// ```swift
/// let model: JSONPath = "model"                                // a top-level member
/// let logprobs: JSONPath = ["choices", .eachElement, "logprobs"] // a member of every choice
/// ```
public struct JSONPath: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable, ExpressibleByStringLiteral {
        /// The member of an object with this name.
        case member(String)
        /// Every element of an array.
        case eachElement

        public init(stringLiteral name: String) { self = .member(name) }
    }

    public var components: [Component]

    public init(_ components: [Component]) { self.components = components }

    public init(stringLiteral name: String) { self.init([.member(name)]) }

    public init(arrayLiteral components: Component...) { self.init(components) }

    /// As in `choices[].logprobs`.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .member(let name): text += text.isEmpty ? name : ".\(name)"
            case .eachElement: text += "[]"
            }
        }
        return text
    }
}
