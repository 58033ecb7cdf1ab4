/// Splits text into the pieces the tokenizer looks up, GPT style: a run of ASCII letters and digits,
/// or any other single character, each taking at most one leading space; other whitespace (line
/// breaks, tabs, repeated spaces) stands alone. Concatenating the pieces gives back the text.
enum TextPieces {
    static func split(_ text: String) -> [Substring] {
        let scalars = text.unicodeScalars
        var pieces: [Substring] = []
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let start = i
            var head = scalars[i]
            // A single space joins the word or mark that follows it.
            if head == " " {
                let next = scalars.index(after: i)
                guard next < scalars.endIndex, !isSpace(scalars[next]) else {
                    pieces.append(Substring(scalars[start..<next]))
                    i = next
                    continue
                }
                i = next
                head = scalars[i]
            }
            if isSpace(head) {
                i = scalars.index(after: i)
            } else if isWordScalar(head) {
                repeat { i = scalars.index(after: i) } while i < scalars.endIndex && isWordScalar(scalars[i])
            } else {
                i = scalars.index(after: i)
            }
            pieces.append(Substring(scalars[start..<i]))
        }
        return pieces
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
}
