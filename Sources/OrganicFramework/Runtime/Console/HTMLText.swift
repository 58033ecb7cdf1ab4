import Mustache

/// Text made safe for HTML and SVG, in element content and in quoted attributes.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// Markup the node built itself with every piece of text escaped (charts). The only kind of
/// value templates insert unescaped (`{{{…}}}`); with `{{…}}` it would be escaped like any text.
struct SVGMarkup: MustacheCustomRenderable, Sendable {
    let markup: String
    var renderText: String { markup }
    var isNull: Bool { false }
}
