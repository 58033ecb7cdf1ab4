import Foundation
import OrganicFramework
import Testing

/// Outcomes and verdicts keep their wire text, and text of no known form fails to decode.
@Suite("Round outcome and verdict coding")
struct RoundValueCodingTests {
    @Test("every outcome round-trips through its label, and MinerFailure maps to the label it always had",
          arguments: [MinerOutcome.answered, .busy, .abandoned, .timeout, .connectionError, .httpStatus(401), .httpStatus(503),
                      .responseTooLarge, .invalidResponse, .streamStalled, .streamTruncated, .requestUnsendable])
    func outcomeRoundTrips(_ outcome: MinerOutcome) throws {
        let json = try JSONEncoder().encode([outcome])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(outcome.label)\"]")
        #expect(try JSONDecoder().decode([MinerOutcome].self, from: json) == [outcome])
    }

    @Test("failures keep their labels")
    func failureLabels() {
        let failures: [MinerFailure] = [.timeout, .connection("x"), .httpStatus(429, body: ""), .responseTooLarge, .invalidResponse("x"),
                                        .stalled, .truncated, .unsendable("x")]
        for failure in failures {
            #expect(failure.outcome.label == failure.label)
            #expect(failure.outcome.isFailure)
        }
    }

    @Test("unknown outcomes and verdicts fail to decode",
          arguments: ["\"exploded\"", "\"http_\"", "\"http_99\"", "\"http_0503\"", "\"Answered\"", "3"])
    func unknownOutcome(_ json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MinerOutcome.self, from: Data(json.utf8)) }
    }

    @Test("verdicts round-trip as their text; other text fails", arguments: ["\"scored \"", "\"inconclusive\"", "\"discarded:x\"", "\"\""])
    func verdicts(_ bad: String) throws {
        for verdict in [RoundVerdict.scored, .inconclusive("no majority"), .discarded("scoring timed out after 2.0 s")] {
            let json = try JSONEncoder().encode(verdict)
            #expect(try JSONDecoder().decode(RoundVerdict.self, from: json) == verdict)
            #expect(RoundVerdict(text: verdict.text) == verdict)
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RoundVerdict.self, from: Data(bad.utf8)) }
    }
}
