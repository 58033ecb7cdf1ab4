/// How callers may spell a model: Subnet 19's clients send task names with underscores or
/// hyphens (`proteus_text_to_image`), and the subnet reads `_` as `-`.
enum ModelName {
    static func normalized(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { $0 == "_" ? "-" : $0 }))
    }
}
