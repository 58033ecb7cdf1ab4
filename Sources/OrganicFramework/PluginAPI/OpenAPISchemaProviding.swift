/// A type that describes its own JSON shape, for the node's OpenAPI document.
///
/// Conform an endpoint's request and response types (and the types of their fields). Scalars,
/// arrays, optionals, string dictionaries and string-backed `CaseIterable` enums conform
/// already, so most schemas are built from their fields' schemas:
///
/// ```swift
/// extension TextEmbeddingRequest: OpenAPISchemaProviding {
///     public static var openAPISchema: JSONSchema {
///         .object(["input": [String].openAPISchema, "dimensions": Int.openAPISchema.defaulting(to: .integer(64))],
///                 required: ["input"])
///     }
/// }
/// ```
///
/// The type's schema says what decodes; the endpoint's ``Endpoint/schemas`` may narrow it to
/// what its settings accept (ranges, model names).
public protocol OpenAPISchemaProviding {
    static var openAPISchema: JSONSchema { get }
}

extension String: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { .string() }
}

extension Bool: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { .boolean() }
}

extension Int: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { .integer() }
}

extension UInt64: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema {
        var schema = JSONSchema.integer()
        schema.minimum = .integer(0)
        return schema
    }
}

extension UInt8: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { .integer(in: 0...255) }
}

extension Double: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { .number() }
}

extension Float: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { .number() }
}

extension Array: OpenAPISchemaProviding where Element: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { .array(of: Element.openAPISchema) }
}

extension Optional: OpenAPISchemaProviding where Wrapped: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { Wrapped.openAPISchema.nullable() }
}

extension Dictionary: OpenAPISchemaProviding where Key == String, Value: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema { .dictionary(of: Value.openAPISchema) }
}

/// String-backed enums list their cases.
extension OpenAPISchemaProviding where Self: RawRepresentable & CaseIterable, RawValue == String {
    public static var openAPISchema: JSONSchema { .oneOf(allCases.map(\.rawValue)) }
}
