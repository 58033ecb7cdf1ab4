/// STROBE-128 (strobe.sourceforge.io spec v1.0.2), restricted to the operations a
/// Merlin transcript uses: AD, meta-AD, PRF and KEY, without transport (T) ops.
///
/// Security level 128 gives a rate of 200 - 2*128/8 - 2 = 166 bytes; the two bytes
/// above the rate carry STROBE's padding / domain marks.
struct Strobe128: Sendable {
    static let rate = 166

    // Operation flags from the STROBE spec.
    static let flagI: UInt8 = 1 << 0
    static let flagA: UInt8 = 1 << 1
    static let flagC: UInt8 = 1 << 2
    static let flagT: UInt8 = 1 << 3
    static let flagM: UInt8 = 1 << 4
    static let flagK: UInt8 = 1 << 5

    private var state = KeccakState()
    private var pos = 0
    private var posBegin = 0
    private var curFlags: UInt8 = 0

    /// Initialises the duplex with STROBE's domain header — [1, R+2, 1, 0, 1, 96] ‖
    /// "STROBEv1.0.2" (12 bytes, no hyphen, as the reference implementation uses) —
    /// then absorbs the protocol label as meta-AD (how Merlin pins "Merlin v1.0").
    init(protocolLabel: some Sequence<UInt8>) {
        let header: [UInt8] = [1, UInt8(Self.rate + 2), 1, 0, 1, 96] + Array("STROBEv1.0.2".utf8)
        for (i, b) in header.enumerated() { state.setByte(b, at: i) }
        state.permute()
        metaAD(protocolLabel, more: false)
    }

    /// Absorb framing metadata (labels, lengths).
    mutating func metaAD(_ data: some Sequence<UInt8>, more: Bool) {
        beginOp(Self.flagM | Self.flagA, more: more)
        absorb(data)
    }

    /// Absorb associated data (message bodies).
    mutating func ad(_ data: some Sequence<UInt8>, more: Bool) {
        beginOp(Self.flagA, more: more)
        absorb(data)
    }

    /// Squeeze `count` pseudorandom bytes (challenges, RNG output).
    mutating func prf(count: Int, more: Bool) -> [UInt8] {
        beginOp(Self.flagI | Self.flagA | Self.flagC, more: more)
        return squeeze(count)
    }

    /// Overwrite the state with key material (used to rekey the transcript RNG).
    mutating func key(_ data: some Sequence<UInt8>, more: Bool) {
        beginOp(Self.flagA | Self.flagC, more: more)
        overwrite(data)
    }

    // MARK: - Duplex internals

    /// STROBE's F: mark the end of the block (begin offset, 0x04 pad, 0x80 at R+1),
    /// permute, and reset the position. Works on the raw state bytes.
    @inline(__always)
    private static func runF(_ s: UnsafeMutableRawPointer, _ pos: inout Int, _ posBegin: inout Int) {
        Keccak.xor(s, pos, UInt8(truncatingIfNeeded: posBegin))
        Keccak.xor(s, pos + 1, 0x04)
        Keccak.xor(s, rate + 1, 0x80)
        Keccak.f1600(s.assumingMemoryBound(to: UInt64.self))
        pos = 0
        posBegin = 0
    }

    private mutating func runF() {
        var p = pos, b = posBegin
        state.withBytes { Self.runF($0, &p, &b) }
        pos = p
        posBegin = b
    }

    private mutating func absorb(_ data: some Sequence<UInt8>) {
        var p = pos, b = posBegin
        state.withBytes { s in
            for byte in data {
                Keccak.xor(s, p, byte)
                p += 1
                if p == Self.rate { Self.runF(s, &p, &b) }
            }
        }
        pos = p
        posBegin = b
    }

    private mutating func overwrite(_ data: some Sequence<UInt8>) {
        var p = pos, b = posBegin
        state.withBytes { s in
            for byte in data {
                s.storeBytes(of: byte, toByteOffset: p, as: UInt8.self)
                p += 1
                if p == Self.rate { Self.runF(s, &p, &b) }
            }
        }
        pos = p
        posBegin = b
    }

    private mutating func squeeze(_ count: Int) -> [UInt8] {
        var p = pos, b = posBegin
        let out = state.withBytes { s in
            [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
                for i in 0..<count {
                    buf[i] = s.load(fromByteOffset: p, as: UInt8.self)
                    s.storeBytes(of: 0, toByteOffset: p, as: UInt8.self)
                    p += 1
                    if p == Self.rate { Self.runF(s, &p, &b) }
                }
                initialized = count
            }
        }
        pos = p
        posBegin = b
        return out
    }

    /// Starts an operation: records where it began and absorbs (old begin, flags).
    /// Cipher-affecting ops (C or K) force a permutation so their output depends on
    /// everything absorbed so far. `more` continues the previous op of the same kind.
    private mutating func beginOp(_ flags: UInt8, more: Bool) {
        if more {
            precondition(flags == curFlags, "STROBE: continued operation with different flags")
            return
        }
        precondition(flags & Self.flagT == 0, "STROBE: transport operations are not supported")
        let oldBegin = posBegin
        posBegin = pos + 1
        curFlags = flags
        absorb([UInt8(truncatingIfNeeded: oldBegin), flags])
        if flags & (Self.flagC | Self.flagK) != 0, pos != 0 {
            runF()
        }
    }
}
