public import OrganicPluginAPI

extension TextEmbeddingRequest: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema {
        .object([
            "input": .array(of: .string(allowEmpty: false), atLeast: 1, description: "The texts to embed."),
            "dimensions": Int.openAPISchema.described("Length of each vector.").defaulting(to: .integer(64)),
            "seed": UInt64.openAPISchema.described("Ignored: the validator assigns the seed."),
        ], required: ["input"])
    }
}

extension TextEmbeddingResponse: OpenAPISchemaProviding {
    public static var openAPISchema: JSONSchema {
        .object(["embeddings": .array(of: [Float].openAPISchema, description: "One unit-length vector per input text, in order.")],
                required: ["embeddings"])
    }
}

extension TextEmbeddingEndpoint {
    /// The types' schemas with this node's limits: how many texts, how long, which sizes.
    public var schemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        schemas.request = schemas.request?
            .withProperty("input") {
                $0.maxItems = configuration.maxTexts
                $0.items?.maxLength = configuration.maxTextLength
            }
            .withProperty("dimensions", JSONSchema.oneOf(configuration.dimensions, description: "Length of each vector.")
                .defaulting(to: .integer(64)))
        return schemas
    }
}
