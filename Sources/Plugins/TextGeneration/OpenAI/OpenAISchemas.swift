package import OrganicPluginAPI

/// OpenAI's wire format as JSON schemas: what chat and text completion callers send and receive,
/// whole or streamed. The endpoints narrow them to their settings (`TextGenerationSchemas`).
extension ChatCompletionMessage: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        let part = JSONSchema.object(["type": .constant("text"), "text": .string()], required: ["type", "text"])
        return .object([
            "role": .oneOf(["system", "developer", "user", "assistant"], description: "`developer` is read as `system`."),
            "content": .anyOf([.string(), .array(of: part, description: "Text parts, joined by newlines."), JSONSchema(types: [.null])]),
        ], required: ["role", "content"])
    }
}

extension ChatCompletionRequest.StreamOptions: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["include_usage": Bool?.openAPISchema.described("Send a last chunk with `usage` (and no choices) before `[DONE]`.")])
    }
}

/// The sampling fields chat and text completions share, with OpenAI's ranges.
enum SamplingSchemas {
    static var properties: [String: JSONSchema] {
        var topP = Double?.openAPISchema.described("Nucleus sampling: in (0, 1].").defaulting(to: .number(1))
        topP.exclusiveMinimum = .number(0)
        topP.maximum = .number(1)
        return [
            "model": String?.openAPISchema.described("A model as `/v1/models` lists it (`_` may stand for `-`); the node's first model when left out."),
            "temperature": JSONSchema.number(in: 0...2, description: "Sampling temperature.").nullable().defaulting(to: .number(1)),
            "top_p": topP,
            "max_tokens": JSONSchema.integer(in: 1...Int.max, description: "Most tokens in the answer.").nullable(),
            "stream": Bool?.openAPISchema
                .described("true: the answer arrives as Server-Sent Events (`text/event-stream`), one chunk per `data:` event, ending with `data: [DONE]`.")
                .defaulting(to: .bool(false)),
            "stream_options": ChatCompletionRequest.StreamOptions?.openAPISchema,
            "n": JSONSchema.oneOf([1], description: "Number of answers; only 1 is supported.").nullable(),
            "seed": Int?.openAPISchema.described("Ignored: the validator assigns the seed."),
        ]
    }
}

extension ChatCompletionRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        var properties = SamplingSchemas.properties
        properties["messages"] = .array(of: ChatCompletionMessage.openAPISchema, atLeast: 1, description: "The conversation so far.")
        properties["max_completion_tokens"] = JSONSchema.integer(in: 1...Int.max, description: "OpenAI's newer name for `max_tokens`.").nullable()
        properties["min_tokens"] = JSONSchema.integer(in: 0...Int.max, description: "vLLM's extension: the answer does not end before this many tokens.").nullable()
        properties["logprobs"] = Bool?.openAPISchema.described("Return the answer's tokens with their log-probabilities.")
        properties["top_logprobs"] = JSONSchema.integer(in: 0...20, description: "Most likely alternatives per token, with `logprobs: true`.").nullable()
        return .object(properties, required: ["messages"])
    }
}

extension CompletionRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        var properties = SamplingSchemas.properties
        properties["prompt"] = .anyOf([.string(allowEmpty: false), .array(of: .string(allowEmpty: false), count: 1...1)],
                                      description: "The text to continue: a string, or a list of exactly one.")
        properties["logprobs"] = JSONSchema.integer(in: 0...5, description: "Return log-probabilities with this many alternatives per token.").nullable()
        properties["echo"] = JSONSchema(types: [.boolean, .null], description: "Not supported: false or left out.").withAllowed([.bool(false), .null])
        return .object(properties, required: ["prompt"])
    }
}

extension TokenLogprob.Alternative: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["token": .string(), "logprob": .number(), "bytes": [UInt8]?.openAPISchema], required: ["token", "logprob"])
    }
}

extension TokenLogprob: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["token": .string(), "logprob": .number(), "bytes": [UInt8]?.openAPISchema.described("The token's UTF-8 bytes."),
                 "top_logprobs": [TokenLogprob.Alternative].openAPISchema],
                required: ["token", "logprob", "top_logprobs"])
    }
}

extension ChoiceLogprobs: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["content": [TokenLogprob].openAPISchema.described("The answer's tokens, in order.")], required: ["content"])
    }
}

extension TextCompletionLogprobs: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["tokens": [String].openAPISchema, "token_logprobs": [Double].openAPISchema,
                 "top_logprobs": [[String: Double]].openAPISchema.described("Per token, the most likely alternatives by token text."),
                 "text_offset": [Int].openAPISchema.described("Character offset of each token in the choice's text.")],
                required: ["tokens", "token_logprobs", "top_logprobs", "text_offset"])
    }
}

enum FinishReasonSchema {
    static var schema: JSONSchema {
        JSONSchema.oneOf(["stop", "length"], description: "`stop` at end of text, `length` at `max_tokens`; null while streaming.").nullable()
    }
}

extension ChatCompletionChoice: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["index": .integer(in: 0...0), "finish_reason": FinishReasonSchema.schema, "logprobs": ChoiceLogprobs?.openAPISchema,
                 "message": .object(["role": .constant("assistant"), "content": .string()], required: ["role", "content"])],
                required: ["index", "message", "logprobs", "finish_reason"])
    }
}

extension ChatCompletionChunkChoice: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["index": .integer(in: 0...0), "finish_reason": FinishReasonSchema.schema, "logprobs": ChoiceLogprobs?.openAPISchema,
                 "delta": .object(["role": .constant("assistant"), "content": .string()], description: "The next piece of the message.")],
                required: ["index", "delta", "logprobs", "finish_reason"])
    }
}

extension TextCompletionChoice: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["text": .string(), "index": .integer(in: 0...0), "logprobs": TextCompletionLogprobs?.openAPISchema,
                 "finish_reason": FinishReasonSchema.schema],
                required: ["text", "index", "logprobs", "finish_reason"])
    }
}

extension CompletionUsage: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["prompt_tokens": .integer(in: 0...Int.max), "completion_tokens": .integer(in: 0...Int.max),
                 "total_tokens": .integer(in: 0...Int.max)],
                required: ["prompt_tokens", "completion_tokens", "total_tokens"])
    }
}

extension OpenAICompletion: OpenAPISchemaProviding where Choice: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object([
            "id": .string(), "object": .constant(Choice.object), "created": .integer(description: "Unix time, seconds."),
            "model": .string(), "choices": [Choice].openAPISchema,
            "usage": CompletionUsage.openAPISchema.described("Tokens as the node counts them (what the call is charged for)."),
        ], required: ["id", "object", "created", "model", "choices"])
    }
}
