/// A Merlin transcript (merlin.cool): Fiat–Shamir made of labelled STROBE-128 ops.
///
/// Each message is framed as meta-AD(label ‖ LE32(len)) then AD(message), and each
/// challenge as meta-AD(label ‖ LE32(len)) then PRF(len), so two transcripts agree
/// on a challenge only if they saw exactly the same labelled messages in order.
/// It is a value type: copying it forks the transcript (used for signing contexts).
package struct MerlinTranscript: Sendable {
    private var strobe: Strobe128

    /// Starts a transcript for a protocol, binding `label` as its domain separator.
    package init(label: String) {
        self.init(labelBytes: Array(label.utf8))
    }

    init(labelBytes: [UInt8]) {
        strobe = Strobe128(protocolLabel: "Merlin v1.0".utf8)
        appendMessage(label: "dom-sep", message: labelBytes)
    }

    /// Appends a labelled message.
    package mutating func appendMessage(label: String, message: [UInt8]) {
        strobe.metaAD(label.utf8, more: false)
        strobe.metaAD(Self.le32(message.count), more: true)
        strobe.ad(message, more: false)
    }

    /// Appends a u64 as 8 little-endian bytes (Merlin's `append_u64`).
    package mutating func appendU64(label: String, value: UInt64) {
        var bytes = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
        appendMessage(label: label, message: bytes)
    }

    /// Squeezes `count` challenge bytes bound to everything appended so far.
    package mutating func challengeBytes(label: String, count: Int) -> [UInt8] {
        precondition(count >= 0 && UInt64(count) <= UInt64(UInt32.max), "challenge length must fit in u32")
        strobe.metaAD(label.utf8, more: false)
        strobe.metaAD(Self.le32(count), more: true)
        return strobe.prf(count: count, more: false)
    }

    /// Forks a witness RNG (Merlin's `build_rng().rekey_with_witness_bytes(..).finalize(rng)`):
    /// the secret `witnesses` and fresh `randomness` are keyed into a *copy* of the
    /// transcript, so the nonce depends on the public transcript, the secrets, and the
    /// entropy — a bad RNG alone cannot leak the key, nor can a repeated RNG output.
    func witnessBytes(label: String, witnesses: [[UInt8]], randomness: [UInt8], count: Int) -> [UInt8] {
        var rng = strobe
        for witness in witnesses {
            rng.metaAD(label.utf8, more: false)
            rng.metaAD(Self.le32(witness.count), more: true)
            rng.key(witness, more: false)
        }
        rng.metaAD("rng".utf8, more: false)
        rng.key(randomness, more: false)
        // TranscriptRng::fill_bytes: meta-AD(LE32(len)) then PRF(len).
        rng.metaAD(Self.le32(count), more: false)
        return rng.prf(count: count, more: false)
    }

    static func le64(_ n: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) }
    }

    @inline(__always)
    static func le32(_ n: Int) -> [UInt8] {
        let v = UInt32(truncatingIfNeeded: n)
        return [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8),
                UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 24)]
    }
}
