/// A whole generated reply.
struct Completion: Sendable, Hashable {
    let tokens: [GeneratedToken]
    let finishReason: FinishReason

    var text: String { tokens.map(\.text).joined() }
}
