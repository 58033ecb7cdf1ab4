import OrganicPluginAPI

/// One message of a chat request as OpenAI clients send it: `content` is a string or a list of
/// parts, of which the text parts are joined (images and audio are refused). `developer` (OpenAI's
/// newer name for system instructions) is read as `system`.
package struct ChatCompletionMessage: Codable, Sendable, Hashable {
    package var role: String
    package var content: String

    package init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    enum CodingKeys: String, CodingKey { case role, content }

    struct Part: Codable, Hashable {
        var type: String
        var text: String?
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        if let text = try? c.decode(String.self, forKey: .content) {
            content = text
        } else if c.contains(.content), try c.decodeNil(forKey: .content) {
            content = ""
        } else {
            let parts = try c.decode([Part].self, forKey: .content)
            guard parts.allSatisfy({ $0.type == "text" && $0.text != nil }) else {
                throw DecodingError.dataCorruptedError(forKey: .content, in: c, debugDescription: "only text content parts are supported")
            }
            content = parts.compactMap(\.text).joined(separator: "\n")
        }
    }

    /// The role as the model knows it, or nil for a role it cannot take (`tool`, `function`).
    var chatRole: ChatRole? {
        switch role {
        case "developer": .system
        default: ChatRole(rawValue: role)
        }
    }
}
