/// `POST /v1/upscale` request: `image` (base64 PNG or JPEG) and an integer `scale` (default 2).
public struct UpscaleRequest: Codable, Sendable, Hashable {
    public var image: String
    public var scale: Int

    public init(image: String, scale: Int = 2) {
        self.image = image
        self.scale = scale
    }

    enum CodingKeys: String, CodingKey { case image, scale }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        image = try c.decode(String.self, forKey: .image)
        scale = try c.decodeIfPresent(Int.self, forKey: .scale) ?? 2
    }
}
