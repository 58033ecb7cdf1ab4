package import OrganicPluginAPI

/// The OpenAI schemas narrowed to the plugin's settings: model names and token and message limits.
extension TextGenerationConfiguration {
    func narrowed(_ schema: JSONSchema?) -> JSONSchema? {
        guard let schema else { return nil }
        let spellings = models + models.map { String($0.map { $0 == "-" ? "_" : $0 }) }
        return schema
            .withProperty("model") { $0.allowed = spellings.map(JSONLiteral.string) + [.null] }
            .withProperty("max_tokens") { $0.maximum = .integer(maxTokens); $0.defaultValue = .integer(defaultMaxTokens) }
    }
}

extension ChatCompletionsEndpoint {
    package var schemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        schemas.request = configuration.narrowed(schemas.request)?
            .withProperty("max_completion_tokens") { $0.maximum = .integer(configuration.maxTokens) }
            .withProperty("messages") {
                $0.maxItems = configuration.maxMessages
                $0.items = $0.items?.withProperty("content") { content in
                    content.anyOf = content.anyOf.map { $0.map { var s = $0; if s.types == [.string] { s.maxLength = configuration.maxMessageLength }; return s } }
                }
            }
        return schemas
    }
}

extension CompletionsEndpoint {
    package var schemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        schemas.request = configuration.narrowed(schemas.request)
        return schemas
    }
}
