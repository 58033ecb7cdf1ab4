/// A caption corpus that cannot be used.
public struct CaptionCorpusError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
