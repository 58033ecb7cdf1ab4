import OrganicPluginAPI

/// Random sentences for synthetic queries, from a small vocabulary.
enum SyntheticSentences {
    static let subjects = ["the validator", "a curious fox", "our search index", "the old lighthouse", "a quiet market",
                           "this recipe", "the river delta", "a jazz trio", "the weather model", "a tiny robot"]
    static let verbs = ["describes", "remembers", "measures", "ignores", "celebrates", "questions", "follows", "builds", "paints", "forgets"]
    static let objects = ["the northern lights", "a ledger of debts", "three green apples", "the morning train", "an unfinished poem",
                          "the price of bread", "a field of sunflowers", "the last chapter", "a broken compass", "the city at night"]

    static func sentence(using random: inout OrganicRandom, maxLength: Int) -> String {
        let parts = [subjects, verbs, objects].map { $0.randomElement(using: &random) ?? "" }
        let suffix = String((0..<4).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random))) })
        return String((parts.joined(separator: " ") + " " + suffix).prefix(maxLength))
    }
}
