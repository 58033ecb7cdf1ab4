import Testing
@testable import TextGenerationPlugin

@Suite("Chat prompt")
struct ChatPromptTests {
    let tokenizer: Tokenizer

    init() throws { tokenizer = try NGramLanguageModel.bundled().tokenizer }

    @Test("messages render as role lines ending in the reply header")
    func render() {
        let messages = [ChatMessage(role: .system, content: "Be brief."), ChatMessage(role: .user, content: "a red fox")]
        let prompt = ChatPrompt(messages: messages, tokenizer: tokenizer)
        #expect(prompt.text == "system: Be brief.\nuser: a red fox\nassistant:")
        #expect(tokenizer.decode(prompt.tokens) == prompt.text)
        #expect(Array(prompt.tokens.suffix(3)) == tokenizer.encode(ChatPrompt.replyHeader))
        // Role, colon, each word and the line break are one token each.
        #expect(tokenizer.encode("user: a red fox\n").map(tokenizer.text(of:)) == ["user", ":", " a", " red", " fox", "\n"])
    }

    @Test("longer conversations cost more prompt tokens")
    func counting() {
        let one = ChatPrompt(messages: [ChatMessage(role: .user, content: "a lighthouse")], tokenizer: tokenizer)
        let two = ChatPrompt(messages: [ChatMessage(role: .user, content: "a lighthouse"),
                                        ChatMessage(role: .assistant, content: " A boat."),
                                        ChatMessage(role: .user, content: "another")], tokenizer: tokenizer)
        // "user" ":" " a" " lighthouse" "\n" "assistant" ":"
        #expect(one.tokenCount == 7)
        #expect(two.tokenCount > one.tokenCount)
    }
}
