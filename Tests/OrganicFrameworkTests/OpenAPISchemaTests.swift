import Foundation
import OrganicFramework
import OrganicPluginAPI
import OrganicTestKit
import TextEmbeddingPlugin
import TextGenerationPlugin
import Testing
import VisionPlugin

/// The node's `/openapi.json` is built from the endpoints' types: every bundled endpoint has
/// request and response schemas, and its examples are real requests that its types decode.
@Suite("OpenAPI document from types", .serialized)
struct OpenAPISchemaTests {
    static func plugins() throws -> [any SubnetPlugin] {
        [try TextEmbeddingPlugin(), try VisionPlugin(), try TextGenerationPlugin(configuration: TextGenerationConfiguration())]
    }

    static func document() async throws -> (data: Data, json: [String: Any]) {
        let body = try await PluginHarness.run(plugins: try plugins(), miners: PluginHarness.honestMiners(1)) { net in
            let reply = try await net.get("/openapi.json")
            #expect(reply.status == 200)
            return reply.body
        }
        return (body, try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any]))
    }

    @Test("every endpoint declares request and response schemas with required fields; streaming ones document text/event-stream")
    func everyEndpointHasSchemas() async throws {
        let (_, document) = try await Self.document()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for plugin in try Self.plugins() {
            for endpoint in plugin.endpoints {
                let d = endpoint.descriptor
                let request = try #require(schemas["\(d.name).Request"], "\(d.name) has no request schema")
                #expect((request["required"] as? [String])?.isEmpty == false, "\(d.name): no required fields")
                #expect(schemas["\(d.name).Response"] != nil, "\(d.name) has no response schema")
                let post = try #require(paths["/v1/\(d.path)"]?["post"] as? [String: Any])
                let ok = (post["responses"] as? [String: Any])?["200"] as? [String: Any]
                let content = ok?["content"] as? [String: Any]
                #expect(content?["application/json"] != nil)
                #expect((content?["text/event-stream"] != nil) == (d.streaming != nil), "\(d.name): text/event-stream iff streaming")
                if d.streaming != nil { #expect(schemas["\(d.name).StreamEvent"] != nil) }
                #expect((post["responses"] as? [String: Any])?["400"] != nil)
            }
        }
        // The chat request is OpenAI's, with `stream` and the node's limits.
        let chat = try #require(schemas["chat-completions.Request"]?["properties"] as? [String: [String: Any]])
        #expect(chat["stream"]?["default"] as? Bool == false)
        #expect(chat["temperature"]?["maximum"] as? Double == 2)
        #expect(chat["messages"]?["maxItems"] as? Int == TextGenerationConfiguration().maxMessages)
        let image = try #require(schemas["text-to-image.Request"]?["properties"] as? [String: [String: Any]])
        #expect((image["model"]?["enum"] as? [String])?.contains("proteus-text-to-image") == true)
        #expect(image["steps"]?["minimum"] != nil)
    }

    @Test("each endpoint's example request decodes with the endpoint's Request type")
    func examplesDecode() async throws {
        let (_, document) = try await Self.document()
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for plugin in try Self.plugins() {
            for endpoint in plugin.endpoints {
                let post = try #require(paths["/v1/\(endpoint.descriptor.path)"]?["post"] as? [String: Any])
                let body = ((post["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
                let example = try #require(body?["example"], "\(endpoint.descriptor.name) has no example request")
                try Self.decode(JSONSerialization.data(withJSONObject: example), as: endpoint)
            }
        }
    }

    static func decode<E: Endpoint>(_ data: Data, as endpoint: E) throws {
        _ = try JSONDecoder().decode(E.Request.self, from: data)
    }

    @Test("openapi-spec-validator accepts the document; examples and the requests clients send match the schemas",
          .enabled(if: OpenAPIPython.python != nil, "ORGANIC_PYTHON is not set; scripts/test.sh sets it to the .venv with openapi-spec-validator"),
          .enabled("openapi_spec_validator does not import in $ORGANIC_PYTHON; install scripts/python-test-requirements.txt") {
              await OpenAPIPython.hasValidator()
          })
    func validatorAccepts() async throws {
        let (data, _) = try await Self.document()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let documentFile = directory.appendingPathComponent("openapi.json")
        let bodiesFile = directory.appendingPathComponent("bodies.json")
        try data.write(to: documentFile)
        try JSONSerialization.data(withJSONObject: Self.clientBodies).write(to: bodiesFile)
        let run = try await ChildProcess.run(try #require(OpenAPIPython.python), [OpenAPIPython.script, documentFile.path, bodiesFile.path])
        #expect(run.status == 0, "openapi_validate.py:\n\(run.outputText)\(run.errorText)")
        #expect(run.outputText.contains("\"problems\": 0"))
    }

    /// Requests as the tests' clients send them (the OpenAI client, Subnet 19's clients), and
    /// ones every endpoint refuses.
    static var clientBodies: [String: [String: [Any]]] {
        [
        "/v1/chat/completions": [
            "valid": [
                ["model": "chat-llama-3-2-3b", "messages": [["role": "user", "content": "Say hi"]], "max_tokens": 8],
                ["model": "chat_llama_3_2_3b", "messages": [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"]],
                 "stream": true, "stream_options": ["include_usage": true], "temperature": 0.5, "logprobs": true, "top_logprobs": 2],
                ["messages": [["role": "developer", "content": [["type": "text", "text": "Hi"]]]], "max_completion_tokens": 4],
            ],
            "invalid": [
                ["model": "chat-llama-3-2-3b"],
                ["messages": [["role": "tool", "content": "x"]]],
                ["messages": [["role": "user", "content": "x"]], "temperature": 3],
                ["messages": [["role": "user", "content": "x"]], "n": 2],
            ],
        ],
        "/v1/completions": [
            "valid": [["prompt": "Once upon a time", "max_tokens": 5, "logprobs": 1], ["prompt": ["One prompt"], "stream": true]],
            "invalid": [["max_tokens": 5], ["prompt": "x", "logprobs": 6], ["prompt": "x", "echo": true]],
        ],
        "/v1/text-embeddings": [
            "valid": [["input": ["hello world"]], ["input": ["a", "b"], "dimensions": 128]],
            "invalid": [["input": []], ["input": ["a"], "dimensions": 65]],
        ],
        "/v1/text-to-image": [
            "valid": [["prompt": "a cat", "model": "proteus-text-to-image", "width": 1024, "height": 1024, "steps": 8, "cfg_scale": 2]],
            "invalid": [["prompt": "a cat"], ["prompt": "a cat", "model": "proteus-text-to-image", "width": 1000]],
        ],
        "/v1/inpaint": [
            "valid": [["prompt": "a cat", "init_image": "iVBORw0KGgo=", "mask_image": "iVBORw0KGgo=", "width": 1016, "height": 1016]],
            "invalid": [["prompt": "a cat", "init_image": "iVBORw0KGgo="]],
        ],
        "/v1/clip-embeddings": [
            "valid": [["image_b64s": ["iVBORw0KGgo="]]],
            "invalid": [["image_b64s": []]],
        ],
        ]
    }
}

/// `$ORGANIC_PYTHON` and Tests/Fixtures/openapi_validate.py.
enum OpenAPIPython {
    static let python: String? = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap {
        FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openapi_validate.py").path

    static func hasValidator() async -> Bool {
        guard let python else { return false }
        return (try? await ChildProcess.run(python, ["-c", "import openapi_spec_validator, jsonschema"]))?.status == 0
    }
}
