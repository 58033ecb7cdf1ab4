/// `POST /v1/upscale` request: `image` (base64 PNG or JPEG) and an integer `scale` (default 2).
package struct UpscaleRequest: Codable, Sendable, Hashable {
    package var image: String
    package var scale: Int

    package init(image: String, scale: Int = 2) {
        self.image = image
        self.scale = scale
    }

    enum CodingKeys: String, CodingKey { case image, scale }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        image = try c.decode(String.self, forKey: .image)
        scale = try c.decodeIfPresent(Int.self, forKey: .scale) ?? 2
    }
}
