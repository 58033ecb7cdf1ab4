import Foundation
import OrganicCrypto

/// One neuron as subtensor's `NeuronInfoRuntimeApi_get_neurons_lite` returns it (SCALE).
package struct NeuronInfoLite: Sendable, Equatable {
    package struct AxonInfo: Sendable, Equatable {
        package var block: UInt64
        package var version: UInt32
        /// IPv4 in the low 32 bits, or a full IPv6 address, per `ipType`.
        package var ipHigh: UInt64
        package var ipLow: UInt64
        package var port: UInt16
        package var ipType: UInt8
        package var proto: UInt8
    }

    package var hotkey: [UInt8]
    package var coldkey: [UInt8]
    package var uid: UInt16
    package var netuid: UInt16
    package var active: Bool
    package var axon: AxonInfo
    /// Stake per coldkey, in rao (1 TAO = 10⁹ rao).
    package var stake: [(coldkey: [UInt8], rao: UInt64)]
    package var rank: UInt16
    package var emission: UInt64
    package var incentive: UInt16
    package var consensus: UInt16
    package var trust: UInt16
    package var validatorTrust: UInt16
    package var dividends: UInt16
    package var lastUpdate: UInt64
    package var validatorPermit: Bool
    package var pruningScore: UInt16

    package static func == (a: NeuronInfoLite, b: NeuronInfoLite) -> Bool {
        a.hotkey == b.hotkey && a.coldkey == b.coldkey && a.uid == b.uid && a.netuid == b.netuid && a.active == b.active
            && a.axon == b.axon && a.stake.map(\.coldkey) == b.stake.map(\.coldkey) && a.stake.map(\.rao) == b.stake.map(\.rao)
            && a.rank == b.rank && a.emission == b.emission && a.incentive == b.incentive && a.consensus == b.consensus
            && a.trust == b.trust && a.validatorTrust == b.validatorTrust && a.dividends == b.dividends
            && a.lastUpdate == b.lastUpdate && a.validatorPermit == b.validatorPermit && a.pruningScore == b.pruningScore
    }

    /// Total stake in rao (saturating).
    package var totalStakeRao: UInt64 {
        stake.reduce(0) { sum, entry in sum.addingReportingOverflow(entry.rao).overflow ? .max : sum + entry.rao }
    }

    /// `http://ip:port` of the axon, or nil when it serves none (ip or port 0, unknown type).
    package var axonURL: String? {
        guard axon.port != 0 else { return nil }
        switch axon.ipType {
        case 4:
            let v4 = UInt32(truncatingIfNeeded: axon.ipLow)
            guard v4 != 0, axon.ipHigh == 0, axon.ipLow >> 32 == 0 else { return nil }
            return "http://\(v4 >> 24).\((v4 >> 16) & 0xff).\((v4 >> 8) & 0xff).\(v4 & 0xff):\(axon.port)"
        case 6:
            guard axon.ipHigh != 0 || axon.ipLow != 0 else { return nil }
            let groups = (0..<8).map { i -> String in
                let word = i < 4 ? axon.ipHigh >> UInt64(48 - 16 * i) : axon.ipLow >> UInt64(48 - 16 * (i - 4))
                return String(UInt16(truncatingIfNeeded: word), radix: 16)
            }
            return "http://[\(groups.joined(separator: ":"))]:\(axon.port)"
        default:
            return nil
        }
    }

    /// The runtime node's view of this neuron.
    package var neuron: Neuron {
        Neuron(uid: uid, hotkey: SS58.encode(publicKey: hotkey), coldkey: SS58.encode(publicKey: coldkey), url: axonURL,
               stake: Double(totalStakeRao) / 1e9, validatorPermit: validatorPermit)
    }
}

extension NeuronInfoLite {
    /// Decodes a whole `Vec<NeuronInfoLite>`; any truncation, bad value or trailing byte is
    /// an error, so a metagraph is either complete or not produced at all.
    package static func decodeVector(_ bytes: [UInt8]) throws(SCALEDecodingError) -> [NeuronInfoLite] {
        var reader = SCALEReader(bytes)
        // Smallest encoding: 64 key bytes, 2×compact, bool, 34 axon, 31 prometheus, empty vec, 9 compacts, bool.
        let count = try reader.length("neuron count", minimumElementSize: 64 + 2 + 1 + 34 + 31 + 1 + 8 + 1 + 1)
        var neurons: [NeuronInfoLite] = []
        neurons.reserveCapacity(count)
        for _ in 0..<count { neurons.append(try decode(&reader)) }
        guard reader.isAtEnd else { throw .trailingBytes(count: reader.remaining) }
        return neurons
    }

    static func decode(_ r: inout SCALEReader) throws(SCALEDecodingError) -> NeuronInfoLite {
        let hotkey = Array(try r.take(32, "hotkey"))
        let coldkey = Array(try r.take(32, "coldkey"))
        let uid = try r.compactU16("uid")
        let netuid = try r.compactU16("netuid")
        let active = try r.bool("active")
        let axon = AxonInfo(block: try r.u64("axon.block"), version: try r.u32("axon.version"),
                            ipHigh: 0, ipLow: 0, port: 0, ipType: 0, proto: 0)
        var axonInfo = axon
        let ip = try r.u128("axon.ip")
        axonInfo.ipHigh = ip.high
        axonInfo.ipLow = ip.low
        axonInfo.port = try r.u16("axon.port")
        axonInfo.ipType = try r.u8("axon.ip_type")
        axonInfo.proto = try r.u8("axon.protocol")
        _ = try r.take(2, "axon placeholders")
        // prometheus_info: block u64, version u32, ip u128, port u16, ip_type u8 (unused).
        _ = try r.take(8 + 4 + 16 + 2 + 1, "prometheus_info")
        let stakeCount = try r.length("stake count", minimumElementSize: 33)
        var stake: [(coldkey: [UInt8], rao: UInt64)] = []
        stake.reserveCapacity(stakeCount)
        for _ in 0..<stakeCount {
            let key = Array(try r.take(32, "stake.account"))
            stake.append((key, try r.compact("stake.amount")))
        }
        return NeuronInfoLite(
            hotkey: hotkey, coldkey: coldkey, uid: uid, netuid: netuid, active: active, axon: axonInfo, stake: stake,
            rank: try r.compactU16("rank"), emission: try r.compact("emission"), incentive: try r.compactU16("incentive"),
            consensus: try r.compactU16("consensus"), trust: try r.compactU16("trust"),
            validatorTrust: try r.compactU16("validator_trust"), dividends: try r.compactU16("dividends"),
            lastUpdate: try r.compact("last_update"), validatorPermit: try r.bool("validator_permit"),
            pruningScore: try r.compactU16("pruning_score"))
    }
}
