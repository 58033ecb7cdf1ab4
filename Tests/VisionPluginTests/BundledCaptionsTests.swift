import PromptCorpus
import Testing

/// The caption corpus ships as the PromptCorpus module's resource and loads as text.
@Suite("Bundled caption corpus")
struct BundledCaptionsTests {
    @Test("the resource holds the 6,000 generated captions, one a line, and the chain is built from all of them")
    func loads() throws {
        let lines = try BundledCaptions.text().split(separator: "\n")
        #expect(lines.count == 6000)
        #expect(lines.first == "a blue bakery hiding behind a giant harbour")
        #expect(try CaptionMarkovChain.bundled().captionCount == 6000)
    }
}
