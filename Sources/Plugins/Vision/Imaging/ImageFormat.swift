/// Encoded image container formats the vision plugin accepts and produces.
/// Raw values are the wire names used in synapses and configs.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case png
    case jpeg

    /// MIME type, for HTTP responses and data URLs.
    public var mimeType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        }
    }
}
