import OrganicPluginAPI

/// Random image prompts for synthetic queries. Four random letters are appended (as the
/// subnet does) so that no two prompts repeat, and the prompt is cut to CLIP's 76 characters.
enum SyntheticPrompts {
    static let subjects = ["a lighthouse", "an old fox", "a glass teapot", "a mountain village", "a robot gardener", "a koi pond",
                           "a desert caravan", "a paper boat", "a jazz club", "a snowy forest", "a neon street", "a castle ruin"]
    static let styles = ["at golden hour", "in watercolor", "as an oil painting", "in soft morning light", "under a starry sky",
                         "in isometric style", "as a pencil sketch", "in cinematic lighting", "on a rainy evening", "in pastel colours"]
    static let details = ["highly detailed", "wide angle", "minimalist", "vibrant", "moody", "sharp focus", "dreamy", "studio photo"]

    static func prompt(using random: inout OrganicRandom, maxLength: Int) -> String {
        let words = [subjects.randomElement(using: &random) ?? "", styles.randomElement(using: &random) ?? "",
                     details.randomElement(using: &random) ?? ""]
        let suffix = String((0..<4).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random))) })
        let text = words.joined(separator: ", ")
        return String(text.prefix(max(maxLength - 5, 1))) + " " + suffix
    }
}
