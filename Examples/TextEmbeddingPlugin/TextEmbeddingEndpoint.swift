public import OrganicPluginAPI

/// `POST /v1/text-embeddings`: texts in, unit vectors out.
public struct TextEmbeddingEndpoint: Endpoint {
    public typealias Request = TextEmbeddingRequest
    public typealias Response = TextEmbeddingResponse

    let configuration: TextEmbeddingPlugin.Configuration

    /// The SDK ≤ 10 synapse for miners served as a bittensor `Axon`. In Python:
    ///
    /// ```python
    /// class TextEmbeddings(bt.Synapse):
    ///     input: list[str]
    ///     dimensions: int = 64
    ///     seed: int | None = None
    ///     embeddings: list[list[float]] = []
    ///     required_hash_fields: ClassVar = ("input", "dimensions", "seed")
    /// ```
    public static let synapse = SynapseDescription(name: "TextEmbeddings", requiredHashFields: ["input", "dimensions", "seed"])

    /// Cosine similarity at or above which two answers count as the same computation.
    public static let agreementThreshold = 0.999

    public var descriptor: EndpointDescriptor {
        EndpointDescriptor(
            name: "text-embeddings", summary: "Embeds texts as unit-length vectors.",
            timeout: .seconds(5), price: configuration.price, scoring: .syntheticAndOrganic,
            maxRequestBytes: 256 << 10, maxResponseBytes: 4 << 20, models: ["feature-hashing-v1"],
            synapse: Self.synapse)
    }

    public func validate(_ request: TextEmbeddingRequest) throws(RequestValidationError) {
        try FieldCheck.count(request.input, 1...configuration.maxTexts, field: "input")
        for (i, text) in request.input.enumerated() {
            try FieldCheck.text(text, maxLength: configuration.maxTextLength, field: "input[\(i)]")
        }
        try FieldCheck.oneOf(request.dimensions, configuration.dimensions, field: "dimensions")
    }

    public func validate(response: TextEmbeddingResponse, for request: TextEmbeddingRequest) throws(ResponseValidationError) {
        guard response.embeddings.count == request.input.count else {
            throw ResponseValidationError("expected \(request.input.count) vectors, got \(response.embeddings.count)")
        }
        for vector in response.embeddings {
            guard vector.count == request.dimensions else { throw ResponseValidationError("expected vectors of length \(request.dimensions)") }
            guard vector.allSatisfy(\.isFinite) else { throw ResponseValidationError("vector holds a non-finite value") }
        }
    }

    /// Callers receive the vectors exactly as the miner wrote them (checked above): no re-encoding.
    public var forwardsMinerAnswer: Bool { true }

    /// The validator picks the seed; whatever the caller sent is replaced.
    public func perturb(_ request: inout TextEmbeddingRequest, context: inout PerturbationContext) {
        request.seed = context.nextSeed()
    }

    public func makeSyntheticRequest(context: inout SyntheticContext) -> TextEmbeddingRequest? {
        let count = Int.random(in: 1...min(4, configuration.maxTexts), using: &context.random)
        let texts = (0..<count).map { _ in SyntheticSentences.sentence(using: &context.random, maxLength: configuration.maxTextLength) }
        let dimensions = configuration.dimensions.randomElement(using: &context.random) ?? 64
        return TextEmbeddingRequest(input: texts, dimensions: dimensions)
    }

    /// Two answers agree (similarity 1) when their mean cosine over the texts reaches
    /// ``agreementThreshold``; below it they earn partial credit, none below 0.9. The core uses
    /// the same comparison to referee disagreeing rounds.
    public func agreement(for request: TextEmbeddingRequest) -> AnswerAgreement<TextEmbeddingResponse>? {
        AnswerAgreement(threshold: 1) { a, b in
            let pairs = zip(a.embeddings, b.embeddings)
            let mean = pairs.map { FeatureHashingEmbedder.cosine($0, $1) }.reduce(0, +) / Double(max(a.embeddings.count, 1))
            if mean >= Self.agreementThreshold { return 1 }
            return max(0, (mean - 0.9) / (Self.agreementThreshold - 0.9)) * 0.5
        }
    }

    /// Miners are rewarded for agreeing with each other (``agreement(for:)``): each answer's mean
    /// similarity to the others.
    public func reward(_ round: ScoringRound<TextEmbeddingRequest, TextEmbeddingResponse>) -> RewardVerdict {
        guard let agreement = agreement(for: round.request) else { return .inconclusive("no agreement rule") }
        return ConsensusReward.rewards(for: round.answers, agreement: agreement)
    }
}
