import Foundation
import OrganicFramework
import Testing

@Suite("Scoring configuration")
struct ScoringConfigurationTests {
    @Test("defaults: 10-minute periods, 30 kept, equal endpoint weights")
    func defaults() throws {
        let settings = try ScoringSettings(configuration: NodeConfiguration(), endpoints: ["a", "b"])
        #expect(settings.periodSeconds == 600)
        #expect(settings.periodsKept == 30)
        #expect(settings.endpointWeights == ["a": 0.5, "b": 0.5])
        #expect(settings.weightPolicy == WeightPolicy())
    }

    @Test("endpoint weights come from YAML or the environment and must sum to 1")
    func endpointWeights() throws {
        let loaded = try ConfigurationLoader(environment: ["ORGANIC_SCORING_ENDPOINT_WEIGHTS": #"{"a": 0.25, "b": 0.75}"#,
                                                           "ORGANIC_WEIGHTS_MAX_WEIGHT": "0.5"]).load(path: nil)
        let settings = try ScoringSettings(configuration: loaded, endpoints: ["a", "b"])
        #expect(settings.endpointWeights == ["a": 0.25, "b": 0.75])
        #expect(settings.weightPolicy.maxWeight == 0.5)

        var bad = NodeConfiguration()
        bad.scoring.endpointWeights = ["a": 0.5]
        #expect(throws: ConfigurationError.self) { try ScoringSettings(configuration: bad, endpoints: ["a", "b"]) }
        bad.scoring.endpointWeights = ["nope": 1]
        #expect(throws: ConfigurationError.self) { try ScoringSettings(configuration: bad, endpoints: ["a", "b"]) }
        var zeroCap = NodeConfiguration()
        zeroCap.weights.maxWeight = 0
        #expect(throws: ConfigurationError.self) { try ScoringSettings(configuration: zeroCap, endpoints: ["a"]) }
    }

    @Test("tie-break settings: 2 referees and 5% audits by default, from the environment, validated")
    func tieBreaks() throws {
        #expect(try ScoringSettings(configuration: NodeConfiguration(), endpoints: ["a"]).tieBreaks == TieBreakSettings())
        let loaded = try ConfigurationLoader(environment: ["ORGANIC_SCORING_MAX_REFEREES": "0",
                                                           "ORGANIC_SCORING_REFEREE_AUDIT_PROBABILITY": "0.5"]).load(path: nil)
        let settings = try ScoringSettings(configuration: loaded, endpoints: ["a"])
        #expect(settings.tieBreaks == TieBreakSettings(maxReferees: 0, auditProbability: 0.5))
        var bad = NodeConfiguration()
        bad.scoring.maxReferees = -1
        #expect(throws: ConfigurationError.self) { try ScoringSettings(configuration: bad, endpoints: ["a"]) }
        bad = NodeConfiguration()
        bad.scoring.refereeAuditProbability = 1.5
        #expect(throws: ConfigurationError.self) { try ScoringSettings(configuration: bad, endpoints: ["a"]) }
    }
}
