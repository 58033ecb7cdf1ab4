/// The endpoint of the scoring simulation: a deterministic computation (a unit vector drawn
/// from the request's seed) whose honest answers differ only by hardware noise. Two answers
/// agree when their cosine similarity reaches 0.999, the rule the embedding endpoints use.
package struct SimulationEndpoint: Endpoint {
    package struct Request: Codable, Sendable, Hashable {
        package var seed: UInt64
        package var dimensions: Int
        package init(seed: UInt64, dimensions: Int) {
            self.seed = seed
            self.dimensions = dimensions
        }
    }

    package struct Response: Codable, Sendable, Hashable {
        package var vector: [Double]
        package init(vector: [Double]) { self.vector = vector }
    }

    package static let agreementThreshold = 0.999
    package static let name = "simulated-embedding"

    /// Whether the endpoint declares identical answers to be copies (``AnswerAgreement/identicalAnswersAreCopies``).
    package var identicalAnswersAreCopies: Bool

    package init(identicalAnswersAreCopies: Bool = true) {
        self.identicalAnswersAreCopies = identicalAnswersAreCopies
    }

    package var descriptor: EndpointDescriptor {
        EndpointDescriptor(name: Self.name, summary: "The scoring simulation's deterministic computation.", timeout: .seconds(10))
    }

    package func validate(_ request: Request) throws(RequestValidationError) {}

    package func validate(response: Response, for request: Request) throws(ResponseValidationError) {
        guard response.vector.count == request.dimensions, response.vector.allSatisfy(\.isFinite) else {
            throw ResponseValidationError("expected \(request.dimensions) finite values")
        }
    }

    package func makeSyntheticRequest(context: inout SyntheticContext) -> Request? {
        Request(seed: context.random.next(), dimensions: 16)
    }

    package func agreement(for request: Request) -> AnswerAgreement<Response>? {
        // Honest answers carry hardware noise: identical answers from two miners are copies.
        AnswerAgreement(threshold: Self.agreementThreshold, identicalAnswersAreCopies: identicalAnswersAreCopies) { a, b in
            Self.cosine(a.vector, b.vector) >= Self.agreementThreshold ? 1 : 0
        }
    }

    package func reward(_ round: ScoringRound<Request, Response>) -> RewardVerdict {
        guard let agreement = agreement(for: round.request) else { return .inconclusive("no agreement rule") }
        return ConsensusReward.rewards(for: round.answers, agreement: agreement)
    }

    /// The right answer to a request.
    package static func truth(for request: Request) -> [Double] {
        var random = OrganicRandom(seed: request.seed)
        return unit((0..<request.dimensions).map { _ in Double.random(in: -1...1, using: &random) })
    }

    package static func unit(_ v: [Double]) -> [Double] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    package static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            dot += a[i] * b[i]
            na += a[i] * a[i]
            nb += b[i] * b[i]
        }
        let denominator = (na * nb).squareRoot()
        return denominator > 0 ? dot / denominator : 0
    }
}
