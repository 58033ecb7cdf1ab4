package import OrganicPluginAPI

// The node decodes every chunk a miner streams and encodes every chunk it relays: these types read
// and write themselves rather than through Codable's containers. Each reads exactly what its
// `init(from:)` reads (absent and null optional members alike, unknown members ignored) and writes
// exactly what its `encode(to:)` writes, member for member; the plugin's conformance tests compare
// the two on generated values.

extension OpenAICompletion: JSONReadable where Choice: JSONReadable {
    // The node reaches these through the conditional conformance, which runs the generic body;
    // the specializations make each chunk's choices read and written without generic lookups.
    @_specialize(where Choice == ChatCompletionChunkChoice)
    @_specialize(where Choice == TextCompletionChoice)
    package init(json: JSONReader) throws {
        var id: String?, object: String?, created: Int?, model: String?
        var choices: [Choice]?
        var usage: CompletionUsage?
        try json.members { name, value in
            switch name {
            case "id": id = try value.optional { try $0.string() }
            case "object": object = try value.optional { try $0.string() }
            case "created": created = try value.optional { try $0.int() }
            case "model": model = try value.optional { try $0.string() }
            case "choices": choices = try value.optional { try $0.array { try Choice(json: $0) } }
            case "usage": usage = try value.optional { try CompletionUsage(json: $0) }
            default: break
            }
        }
        self.init(id: id ?? "", created: created ?? 0, model: model ?? "", choices: choices ?? [], usage: usage)
        self.object = object ?? Choice.object
    }
}

extension OpenAICompletion: JSONWritable where Choice: JSONWritable {
    @_specialize(where Choice == ChatCompletionChunkChoice)
    @_specialize(where Choice == TextCompletionChoice)
    package func write(json: inout JSONWriter) throws {
        try json.object { o in
            o.member("id", id)
            o.member("object", object)
            o.member("created", created)
            o.member("model", model)
            try o.member("choices") { try $0.array(choices) { try $1.write(json: &$0) } }
            if let usage { try o.member("usage", usage) }
        }
    }
}

/// The members of a chat choice around the one that differs (`delta` in a chunk, `message` in a
/// whole completion), read and written in the order Codable reads and writes them.
private struct ChatChoiceMembers<Body: JSONReadable & JSONWritable> {
    var index: Int
    var body: Body
    var logprobs: ChoiceLogprobs?
    var finishReason: String?

    init(index: Int, body: Body, logprobs: ChoiceLogprobs?, finishReason: String?) {
        (self.index, self.body, self.logprobs, self.finishReason) = (index, body, logprobs, finishReason)
    }

    init(json: JSONReader, body bodyName: StaticString) throws {
        var index: Int?, body: Body?
        var logprobs: ChoiceLogprobs?, finishReason: String?
        try json.members { name, value in
            switch name {
            case "index": index = try value.int()
            case bodyName: body = try Body(json: value)
            case "logprobs": logprobs = try value.optional { try ChoiceLogprobs(json: $0) }
            case "finish_reason": finishReason = try value.optional { try $0.string() }
            default: break
            }
        }
        guard let index else { throw json.missingMember("index") }
        guard let body else { throw json.missingMember(bodyName.description) }
        self.init(index: index, body: body, logprobs: logprobs, finishReason: finishReason)
    }

    func write(json: inout JSONWriter, body bodyName: StaticString) throws {
        try json.object { o in
            o.member("index", index)
            try o.member(bodyName, body)
            if let logprobs { try o.member("logprobs", logprobs) } else { o.nullMember("logprobs") }
            if let finishReason { o.member("finish_reason", finishReason) } else { o.nullMember("finish_reason") }
        }
    }
}

extension ChatCompletionChunkChoice: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        let members = try ChatChoiceMembers<Delta>(json: json, body: "delta")
        self.init(index: members.index, delta: members.body, logprobs: members.logprobs, finishReason: members.finishReason)
    }

    package func write(json: inout JSONWriter) throws {
        try ChatChoiceMembers(index: index, body: delta, logprobs: logprobs, finishReason: finishReason).write(json: &json, body: "delta")
    }
}

extension ChatCompletionChunkChoice.Delta: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        var role: String?, content: String?
        try json.members { name, value in
            switch name {
            case "role": role = try value.optional { try $0.string() }
            case "content": content = try value.optional { try $0.string() }
            default: break
            }
        }
        self.init(role: role, content: content)
    }

    package func write(json: inout JSONWriter) throws {
        json.object { o in
            if let role { o.member("role", role) }
            if let content { o.member("content", content) }
        }
    }
}

extension ChoiceLogprobs: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        var content: [TokenLogprob]?
        try json.members { name, value in
            if name == "content" { content = try value.optional { try $0.array { try TokenLogprob(json: $0) } } }
        }
        self.init(content: content ?? [])
    }

    package func write(json: inout JSONWriter) throws {
        try json.object { o in
            try o.member("content") { try $0.array(content) { try $1.write(json: &$0) } }
        }
    }
}

extension TokenLogprob: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        var token: String?, logprob: Double?
        var bytes: [UInt8]?
        var top: [Alternative]?
        try json.members { name, value in
            switch name {
            case "token": token = try value.string()
            case "logprob": logprob = try value.double()
            case "bytes": bytes = try value.optional { try $0.bytes() }
            case "top_logprobs": top = try value.optional { try $0.array { try Alternative(json: $0) } }
            default: break
            }
        }
        guard let token else { throw json.missingMember("token") }
        guard let logprob else { throw json.missingMember("logprob") }
        // The reported bytes as they are: not the token's own, made and thrown away.
        self.init(token: token, logprob: logprob, bytes: bytes, topLogprobs: top ?? [])
    }

    package func write(json: inout JSONWriter) throws {
        try json.object { o in
            o.member("token", token)
            try o.member("logprob", logprob)
            if let bytes { o.member("bytes") { $0.bytes(bytes) } }
            try o.member("top_logprobs") { try $0.array(topLogprobs) { try $1.write(json: &$0) } }
        }
    }
}

extension TokenLogprob.Alternative: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        var token: String?, logprob: Double?
        var bytes: [UInt8]?
        try json.members { name, value in
            switch name {
            case "token": token = try value.string()
            case "logprob": logprob = try value.double()
            case "bytes": bytes = try value.optional { try $0.bytes() }
            default: break
            }
        }
        guard let token else { throw json.missingMember("token") }
        guard let logprob else { throw json.missingMember("logprob") }
        self.init(token: token, logprob: logprob)
        self.bytes = bytes
    }

    package func write(json: inout JSONWriter) throws {
        try json.object { o in
            o.member("token", token)
            try o.member("logprob", logprob)
            if let bytes { o.member("bytes") { $0.bytes(bytes) } }
        }
    }
}

extension CompletionUsage: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        var prompt: Int?, completion: Int?, total: Int?
        try json.members { name, value in
            switch name {
            case "prompt_tokens": prompt = try value.int()
            case "completion_tokens": completion = try value.int()
            case "total_tokens": total = try value.int()
            default: break
            }
        }
        guard let prompt else { throw json.missingMember("prompt_tokens") }
        guard let completion else { throw json.missingMember("completion_tokens") }
        guard let total else { throw json.missingMember("total_tokens") }
        self.init(promptTokens: prompt, completionTokens: completion)
        totalTokens = total
    }

    package func write(json: inout JSONWriter) throws {
        json.object { o in
            o.member("prompt_tokens", promptTokens)
            o.member("completion_tokens", completionTokens)
            o.member("total_tokens", totalTokens)
        }
    }
}

extension TextCompletionChoice: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        var text: String?, index: Int?
        var logprobs: TextCompletionLogprobs?, finishReason: String?
        try json.members { name, value in
            switch name {
            case "text": text = try value.string()
            case "index": index = try value.int()
            // Rare and irregular (maps of alternatives): read by its Decodable conformance.
            case "logprobs": logprobs = try value.optional { try $0.decode(TextCompletionLogprobs.self) }
            case "finish_reason": finishReason = try value.optional { try $0.string() }
            default: break
            }
        }
        guard let text else { throw json.missingMember("text") }
        guard let index else { throw json.missingMember("index") }
        self.init(text: text, index: index, logprobs: logprobs, finishReason: finishReason)
    }

    package func write(json: inout JSONWriter) throws {
        try json.object { o in
            o.member("text", text)
            o.member("index", index)
            if let logprobs { try o.member("logprobs") { try $0.encode(logprobs) } } else { o.nullMember("logprobs") }
            if let finishReason { o.member("finish_reason", finishReason) } else { o.nullMember("finish_reason") }
        }
    }
}

extension ChatCompletionChoice: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        let members = try ChatChoiceMembers<Message>(json: json, body: "message")
        self.init(index: members.index, message: members.body, logprobs: members.logprobs, finishReason: members.finishReason)
    }

    package func write(json: inout JSONWriter) throws {
        try ChatChoiceMembers(index: index, body: message, logprobs: logprobs, finishReason: finishReason).write(json: &json, body: "message")
    }
}

extension ChatCompletionChoice.Message: JSONReadable, JSONWritable {
    package init(json: JSONReader) throws {
        var role: String?, content: String?
        try json.members { name, value in
            switch name {
            case "role": role = try value.string()
            case "content": content = try value.string()
            default: break
            }
        }
        guard let role else { throw json.missingMember("role") }
        guard let content else { throw json.missingMember("content") }
        self.init(role: role, content: content)
    }

    package func write(json: inout JSONWriter) throws {
        json.object { o in
            o.member("role", role)
            o.member("content", content)
        }
    }
}
