package import OrganicPluginAPI

/// Each vision endpoint's schemas narrowed to the node's settings: the model names, prompt
/// length, steps, guidance and sizes its validation accepts, and the image size limit.
extension VisionEndpoint {
    /// `schema` with the shared generation fields narrowed to `limits` (the envelope when the
    /// ranges depend on the model) and `models` as the accepted model names.
    func generationSchema(_ schema: JSONSchema?, limits: [GenerationLimits], models: [String]?) -> JSONSchema? {
        guard var schema, let first = limits.first else { return schema }
        let steps = (limits.map(\.minSteps).min() ?? first.minSteps)...(limits.map(\.maxSteps).max() ?? first.maxSteps)
        let cfg = (limits.map(\.minCfgScale).min() ?? first.minCfgScale)...(limits.map(\.maxCfgScale).max() ?? first.maxCfgScale)
        let sizes = (limits.map(\.minSize).min() ?? first.minSize)...(limits.map(\.maxSize).max() ?? first.maxSize)
        let step = limits.map(\.sizeStep).reduce(first.sizeStep, Self.greatestCommonDivisor)
        let perModel = limits.count > 1 ? " The exact range depends on the model." : ""
        schema = schema
            .withProperty("prompt") { $0.maxLength = configuration.maxPromptLength }
            .withProperty("negative_prompt") { $0.maxLength = configuration.maxPromptLength }
            .withProperty("steps") { $0.limit(to: steps); $0.description = "Diffusion steps." + perModel }
            .withProperty("cfg_scale") { $0.limit(to: cfg); $0.description = "Guidance scale." + perModel }
        for side in ["width", "height"] {
            schema = schema.withProperty(side) {
                $0.limit(to: sizes)
                $0.multipleOf = .integer(step)
                $0.description = "\(side.capitalized) in pixels, a multiple of \(step)." + perModel
            }
        }
        if let models {
            schema = schema.withProperty("model") { $0.allowed = Self.spellings(of: models).map(JSONLiteral.string) }
        }
        return imageFields(schema)
    }

    /// Every base64 image field limited to the accepted length.
    func imageFields(_ schema: JSONSchema?) -> JSONSchema? {
        guard var schema else { return nil }
        for (name, property) in schema.properties ?? [:] where property.format == "byte" {
            schema = schema.withProperty(name) { $0.maxLength = configuration.maxImageBase64Length }
        }
        return schema
    }

    /// The strength field `name` limited to the configured `image_strength` range.
    func strengthField(_ schema: JSONSchema?, _ name: String = "image_strength", range: ClosedRange<Double>? = nil) -> JSONSchema? {
        schema?.withProperty(name) { $0.limit(to: range ?? configuration.imageStrengths) }
    }

    /// Model names as accepted: with hyphens, or with `_` for `-` as Subnet 19's clients write them.
    static func spellings(of names: [String]) -> [String] {
        var seen = Set<String>()
        return (names + names.map { String($0.map { $0 == "-" ? "_" : $0 }) }).filter { seen.insert($0).inserted }
    }

    static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int { b == 0 ? a : greatestCommonDivisor(b, a % b) }
}

extension VisionEndpoint where Self: Endpoint {
    /// The types' schemas with the engines' names and ranges (text-to-image and scribble).
    var engineSchemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        schemas.request = generationSchema(schemas.request, limits: configuration.models.map(\.limits), models: configuration.models.map(\.name))
        return schemas
    }
}

extension TextToImageEndpoint {
    package var schemas: EndpointSchemas { engineSchemas }
}

extension ImageToImageEndpoint {
    package var schemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        let models = configuration.models.map(\.imageToImageName) + configuration.models.map(\.name)
        schemas.request = strengthField(generationSchema(schemas.request, limits: configuration.models.map(\.imageToImageLimits), models: models))
        return schemas
    }
}

extension InpaintEndpoint {
    package var schemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        schemas.request = strengthField(generationSchema(schemas.request, limits: [configuration.inpaint] + configuration.models.map(\.limits),
                                                         models: descriptor.models))
        return schemas
    }
}

extension ScribbleEndpoint {
    package var schemas: EndpointSchemas { engineSchemas }
}

extension AvatarEndpoint {
    package var schemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        let request = generationSchema(schemas.request, limits: [configuration.avatar], models: nil)
        schemas.request = strengthField(strengthField(request, "ipadapter_strength", range: Self.strengths), "control_strength", range: Self.strengths)
        return schemas
    }
}

extension UpscaleEndpoint {
    package var schemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        schemas.request = imageFields(schemas.request?.withProperty("scale") { $0.allowed = configuration.upscaleFactors.map(JSONLiteral.integer) })
        return schemas
    }
}

extension ClipEmbeddingsEndpoint {
    package var schemas: EndpointSchemas {
        var schemas = Self.typeSchemas
        schemas.request = schemas.request?.withProperty("image_b64s") {
            $0.maxItems = configuration.maxEmbeddingImages
            $0.items?.maxLength = configuration.maxImageBase64Length
        }
        return schemas
    }
}
