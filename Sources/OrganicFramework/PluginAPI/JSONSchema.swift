/// A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) describing a request, a response or
/// one of their fields, for the node's OpenAPI document.
///
/// Build one with the static helpers (``object(_:required:description:)``, ``array(of:count:description:)``,
/// ``string(description:maxLength:allowEmpty:)``, ``integer(in:description:)``, ``number(in:description:)``,
/// ``oneOf(_:description:)``…) and refine it with the modifiers (``nullable()``, ``defaulting(to:)``,
/// ``withProperty(_:_:)``), typically with the ranges the endpoint's `validate` enforces.
public struct JSONSchema: Sendable, Hashable, Encodable {
    /// A JSON type name.
    public enum Kind: String, Sendable, Hashable, Encodable {
        case string, integer, number, boolean, array, object, null
    }

    /// The JSON types allowed; empty allows any (or what ``anyOf`` says).
    public var types: [Kind]
    public var description: String?
    /// A format hint such as `byte` (base64).
    public var format: String?
    /// The only values allowed (`enum`).
    public var allowed: [JSONLiteral]?
    /// The value assumed when the field is left out.
    public var defaultValue: JSONLiteral?
    public var minimum: JSONLiteral?
    public var maximum: JSONLiteral?
    /// A lower bound the value must exceed.
    public var exclusiveMinimum: JSONLiteral?
    public var multipleOf: JSONLiteral?
    public var minLength: Int?
    public var maxLength: Int?
    public var minItems: Int?
    public var maxItems: Int?
    /// An object's fields by name.
    public var properties: [String: JSONSchema]?
    /// The fields an object must carry.
    public var required: [String]?
    /// Example values, in the order given.
    public var examples: [JSONLiteral]?
    // Boxed in arrays because a struct cannot hold itself.
    private var itemsBox: [JSONSchema] = []
    private var valuesBox: [JSONSchema] = []
    /// Schemas of which the value must match at least one.
    public var anyOf: [JSONSchema]?

    public init(types: [Kind] = [], description: String? = nil) {
        self.types = types
        self.description = description
    }

    /// An array's element schema.
    public var items: JSONSchema? {
        get { itemsBox.first }
        set { itemsBox = newValue.map { [$0] } ?? [] }
    }

    /// The schema of every value of an object used as a dictionary (`additionalProperties`).
    public var additionalProperties: JSONSchema? {
        get { valuesBox.first }
        set { valuesBox = newValue.map { [$0] } ?? [] }
    }
}

// MARK: Building

extension JSONSchema {
    /// An object with `properties`, of which `required` must be present. Unknown fields are not
    /// forbidden: the endpoints ignore fields they do not use.
    public static func object(_ properties: [String: JSONSchema], required: [String] = [], description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(types: [.object], description: description)
        schema.properties = properties
        schema.required = required.isEmpty ? nil : required
        return schema
    }

    /// An object used as a dictionary from string keys to `values`.
    public static func dictionary(of values: JSONSchema, description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(types: [.object], description: description)
        schema.additionalProperties = values
        return schema
    }

    /// An array of `items`, with a number of elements within `count` when given.
    public static func array(of items: JSONSchema, count: ClosedRange<Int>? = nil, description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(types: [.array], description: description)
        schema.items = items
        schema.minItems = count?.lowerBound
        schema.maxItems = count?.upperBound
        return schema
    }

    /// An array of at least `minimum` `items`.
    public static func array(of items: JSONSchema, atLeast minimum: Int, description: String? = nil) -> JSONSchema {
        var schema = array(of: items, description: description)
        schema.minItems = minimum
        return schema
    }

    /// A string of at most `maxLength` characters; at least one unless `allowEmpty`.
    public static func string(description: String? = nil, maxLength: Int? = nil, allowEmpty: Bool = true) -> JSONSchema {
        var schema = JSONSchema(types: [.string], description: description)
        schema.maxLength = maxLength
        schema.minLength = allowEmpty ? nil : 1
        return schema
    }

    /// A base64 string (such as a PNG or JPEG image) of at most `maxLength` characters.
    public static func base64(description: String? = nil, maxLength: Int? = nil) -> JSONSchema {
        var schema = string(description: description, maxLength: maxLength, allowEmpty: false)
        schema.format = "byte"
        return schema
    }

    /// One of the given strings.
    public static func oneOf(_ values: [String], description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(types: [.string], description: description)
        schema.allowed = values.map(JSONLiteral.string)
        return schema
    }

    /// One of the given integers.
    public static func oneOf(_ values: [Int], description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(types: [.integer], description: description)
        schema.allowed = values.map(JSONLiteral.integer)
        return schema
    }

    /// An integer within `range` when given.
    public static func integer(in range: ClosedRange<Int>? = nil, description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(types: [.integer], description: description)
        schema.minimum = range.map { .integer($0.lowerBound) }
        schema.maximum = range.map { .integer($0.upperBound) }
        return schema
    }

    /// A number within `range` when given.
    public static func number(in range: ClosedRange<Double>? = nil, description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(types: [.number], description: description)
        schema.minimum = range.map { .number($0.lowerBound) }
        schema.maximum = range.map { .number($0.upperBound) }
        return schema
    }

    public static func boolean(description: String? = nil) -> JSONSchema {
        JSONSchema(types: [.boolean], description: description)
    }

    /// Exactly `value`.
    public static func constant(_ value: String, description: String? = nil) -> JSONSchema {
        oneOf([value], description: description)
    }

    /// A value matching at least one of `schemas`.
    public static func anyOf(_ schemas: [JSONSchema], description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(description: description)
        schema.anyOf = schemas
        return schema
    }
}

// MARK: Refining

extension JSONSchema {
    /// The same schema that also accepts `null`.
    public func nullable() -> JSONSchema {
        var schema = self
        if !schema.types.isEmpty, !schema.types.contains(.null) { schema.types.append(.null) }
        if schema.types.isEmpty, let anyOf { schema.anyOf = anyOf + [JSONSchema(types: [.null])] }
        if let allowed { schema.allowed = allowed + [.null] }
        return schema
    }

    /// The same schema with `description`.
    public func described(_ description: String) -> JSONSchema {
        var schema = self
        schema.description = description
        return schema
    }

    /// The same schema with the value assumed when the field is left out.
    public func defaulting(to value: JSONLiteral) -> JSONSchema {
        var schema = self
        schema.defaultValue = value
        return schema
    }

    /// The same schema allowing only `values`.
    public func withAllowed(_ values: [JSONLiteral]) -> JSONSchema {
        var schema = self
        schema.allowed = values
        return schema
    }

    /// The same schema with example values.
    public func withExamples(_ values: [JSONLiteral]) -> JSONSchema {
        var schema = self
        schema.examples = values
        return schema
    }

    /// The same object schema with property `name` changed by `change` (added when absent, so
    /// start from `JSONSchema()`); the way an endpoint narrows a type's schema to its settings.
    public func withProperty(_ name: String, _ change: (inout JSONSchema) -> Void) -> JSONSchema {
        var schema = self
        var property = schema.properties?[name] ?? JSONSchema()
        change(&property)
        schema.properties = (schema.properties ?? [:]).merging([name: property]) { $1 }
        return schema
    }

    /// The same object schema with `name` replaced by `property`.
    public func withProperty(_ name: String, _ property: JSONSchema) -> JSONSchema {
        withProperty(name) { $0 = property }
    }

    /// Narrows a number or integer to `range`.
    public mutating func limit(to range: ClosedRange<Int>) {
        minimum = .integer(range.lowerBound)
        maximum = .integer(range.upperBound)
    }

    /// Narrows a number to `range`.
    public mutating func limit(to range: ClosedRange<Double>) {
        minimum = .number(range.lowerBound)
        maximum = .number(range.upperBound)
    }
}

// MARK: Encoding

extension JSONSchema {
    enum CodingKeys: String, CodingKey {
        case type, description, format, `enum`, `default`, minimum, maximum, exclusiveMinimum, multipleOf
        case minLength, maxLength, minItems, maxItems, items, properties, required, additionalProperties, anyOf, examples
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if types.count == 1 {
            try c.encode(types[0], forKey: .type)
        } else if !types.isEmpty {
            try c.encode(types, forKey: .type)
        }
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(format, forKey: .format)
        try c.encodeIfPresent(allowed, forKey: .enum)
        try c.encodeIfPresent(defaultValue, forKey: .default)
        try c.encodeIfPresent(minimum, forKey: .minimum)
        try c.encodeIfPresent(maximum, forKey: .maximum)
        try c.encodeIfPresent(exclusiveMinimum, forKey: .exclusiveMinimum)
        try c.encodeIfPresent(multipleOf, forKey: .multipleOf)
        try c.encodeIfPresent(minLength, forKey: .minLength)
        try c.encodeIfPresent(maxLength, forKey: .maxLength)
        try c.encodeIfPresent(minItems, forKey: .minItems)
        try c.encodeIfPresent(maxItems, forKey: .maxItems)
        try c.encodeIfPresent(items, forKey: .items)
        try c.encodeIfPresent(properties, forKey: .properties)
        try c.encodeIfPresent(required, forKey: .required)
        try c.encodeIfPresent(additionalProperties, forKey: .additionalProperties)
        try c.encodeIfPresent(anyOf, forKey: .anyOf)
        try c.encodeIfPresent(examples, forKey: .examples)
    }
}

/// A JSON scalar in a schema: an allowed value, a default, a bound or an example.
public enum JSONLiteral: Sendable, Hashable, Encodable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let v): try c.encode(v)
        case .integer(let v): try c.encode(v)
        case .number(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .null: try c.encodeNil()
        }
    }
}
