import Testing
@testable import OrganicCrypto

@Suite("Keccak / STROBE / Merlin")
struct MerlinTranscriptTests {
    /// SHA3-256 assembled from our permutation (rate 136, domain 0x06), checked
    /// against FIPS 202 vectors: validates Keccak-f[1600] independently of STROBE.
    func sha3_256(_ msg: [UInt8]) -> [UInt8] {
        var st = KeccakState()
        var padded = msg + [0x06]
        while padded.count % 136 != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80
        for block in stride(from: 0, to: padded.count, by: 136) {
            for i in 0..<136 { st.xorByte(padded[block + i], at: i) }
            st.permute()
        }
        return (0..<32).map { st.byte(at: $0) }
    }

    @Test func keccakMatchesSHA3Vectors() {
        #expect(Hex.encode(sha3_256([])) == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
        #expect(Hex.encode(sha3_256(Array("abc".utf8))) == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
        // Multi-block input (200 bytes > rate).
        #expect(Hex.encode(sha3_256([UInt8](repeating: 0xa3, count: 200))) == "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787")
    }

    @Test func merlinReferenceVector() {
        var t = MerlinTranscript(label: "test protocol")
        t.appendMessage(label: "some label", message: Array("some data".utf8))
        let c = t.challengeBytes(label: "challenge", count: 32)
        #expect(Hex.encode(c) == "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615")
    }

    /// Merlin's "complex" transcript vector: repeated challenges interleaved with
    /// 1 KiB messages exercise rate-boundary handling in AD and PRF.
    @Test func merlinComplexVector() {
        var t = MerlinTranscript(label: "test protocol")
        t.appendMessage(label: "step1", message: Array("some data".utf8))
        let data = [UInt8](repeating: 0x63, count: 1024)
        var challenge: [UInt8] = []
        for _ in 0..<32 {
            challenge = t.challengeBytes(label: "challenge", count: 32)
            t.appendMessage(label: "bigdata", message: data)
            t.appendMessage(label: "challengedata", message: challenge)
        }
        #expect(Hex.encode(challenge) == "a8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c")
    }

    @Test func transcriptsDivergeOnDifferentInput() {
        var a = MerlinTranscript(label: "p")
        var b = a
        a.appendMessage(label: "m", message: [1])
        b.appendMessage(label: "m", message: [2])
        #expect(a.challengeBytes(label: "c", count: 32) != b.challengeBytes(label: "c", count: 32))
    }

    @Test func longMessagesAndChallengesCrossRateBoundary() {
        var a = MerlinTranscript(label: "p")
        a.appendMessage(label: "big", message: [UInt8](repeating: 7, count: 1000))
        let c = a.challengeBytes(label: "c", count: 400)
        #expect(c.count == 400)
        #expect(Set(c).count > 100)
    }
}
