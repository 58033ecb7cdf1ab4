package import OrganicPluginAPI

/// The JSON shapes of the vision requests and answers, with the public API's defaults. The
/// endpoints narrow them to their settings (`VisionEndpointSchemas`).
extension GenerationFields {
    /// The shared fields' properties; `model` is listed by each request (required or not).
    static var properties: [String: JSONSchema] {
        [
            "prompt": .string(description: "What to generate.", allowEmpty: false),
            "negative_prompt": .string(description: "What to avoid.").defaulting(to: .string("")),
            "steps": .integer(description: "Diffusion steps.").defaulting(to: .integer(10)),
            "cfg_scale": .number(description: "Guidance scale.").defaulting(to: .number(3)),
            "width": .integer(description: "Width in pixels.").defaulting(to: .integer(1024)),
            "height": .integer(description: "Height in pixels.").defaulting(to: .integer(1024)),
            "model": .string(description: "The engine, as `/v1/models` lists it (`_` may stand for `-`)."),
            "seed": UInt64.openAPISchema.described("Ignored: the validator assigns the seed."),
        ]
    }

    /// An object of the shared fields plus `extra`, requiring `prompt`, `model` when
    /// `requiresModel`, and `required`.
    static func schema(adding extra: [String: JSONSchema] = [:], required: [String] = [], requiresModel: Bool = true) -> JSONSchema {
        .object(properties.merging(extra) { $1 }, required: ["prompt"] + (requiresModel ? ["model"] : []) + required)
    }
}

extension TextToImageRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema { GenerationFields.schema() }
}

extension ImageToImageRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        GenerationFields.schema(adding: [
            "init_image": .base64(description: "The starting picture, base64 PNG or JPEG (a `data:` URL is accepted)."),
            "image_strength": .number(description: "How far to move away from init_image: 0 keeps it, 1 ignores it.").defaulting(to: .number(0.5)),
        ], required: ["init_image"])
    }
}

extension InpaintRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        var schema = GenerationFields.schema(adding: [
            "init_image": .base64(description: "The starting picture, base64 PNG or JPEG."),
            "mask": .base64(description: "Where to repaint, base64 PNG or JPEG of any size (scaled to the image): light pixels are repainted."),
            "mask_image": .base64(description: "Subnet 19's name for `mask`; send one of the two."),
            "image_strength": .number(description: "How far to move away from init_image: 0 keeps it, 1 ignores it.").defaulting(to: .number(1)),
        ], required: ["init_image"], requiresModel: false)
        schema = schema.withProperty("model") { $0 = $0.defaulting(to: .string(NineteenTask.inpaint)) }
        var mask = JSONSchema.object([:], required: ["mask"])
        mask.types = []
        var maskImage = JSONSchema.object([:], required: ["mask_image"])
        maskImage.types = []
        schema.anyOf = [mask, maskImage]
        return schema
    }
}

extension ScribbleRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        GenerationFields.schema(adding: [
            "init_image": .base64(description: "The scribble, base64 PNG or JPEG: light strokes on a dark background."),
        ], required: ["init_image"])
    }
}

extension AvatarRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        var properties = GenerationFields.properties
        properties["model"] = nil
        properties["init_image"] = .base64(description: "The face picture, base64 PNG or JPEG.")
        properties["ipadapter_strength"] = .number(description: "How strongly the face's identity is kept.").defaulting(to: .number(0.5))
        properties["control_strength"] = .number(description: "How strongly the face's pose and outline are kept.").defaulting(to: .number(0.5))
        return .object(properties, required: ["prompt", "init_image"])
    }
}

extension UpscaleRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object([
            "image": .base64(description: "The picture to enlarge, base64 PNG or JPEG."),
            "scale": .integer(description: "The enlargement factor.").defaulting(to: .integer(2)),
        ], required: ["image"])
    }
}

extension ClipEmbeddingsRequest: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        .object(["image_b64s": .array(of: .base64(description: "A base64 PNG or JPEG."), atLeast: 1, description: "The images to embed.")],
                required: ["image_b64s"])
    }
}

extension ClipEmbeddingsResponse: OpenAPISchemaProviding {
    package static var openAPISchema: JSONSchema {
        let vector = JSONSchema.array(of: .number(), count: PseudoClipEmbedding.dimensions...PseudoClipEmbedding.dimensions)
        return .object(["clip_embeddings": .array(of: vector, description: "One embedding per image, in request order.")],
                       required: ["clip_embeddings"])
    }
}

extension ImageResponse: OpenAPISchemaProviding {
    /// The answer as callers receive it; the reward-only fields miners add are removed.
    package static var openAPISchema: JSONSchema {
        .object(["image_b64": .base64(description: "The image, base64 PNG (or JPEG when the node is configured so).")],
                required: ["image_b64"])
    }
}
