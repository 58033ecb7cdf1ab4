/// The u16 weight vector the chain takes, computed the way the Bittensor SDK does
/// (`bittensor.intents.weights.normalize`, formerly `convert_weights_and_uids_for_emit`):
/// divide by the largest weight, multiply by 65535, round half to even (Python's `round`),
/// drop zeros.
public enum ChainWeights {
    public enum Failure: Error, Equatable, Sendable {
        case lengthMismatch
        case invalidWeight
    }

    public static func u16(uids: [UInt16], weights: [Double]) throws(Failure) -> (uids: [UInt16], weights: [UInt16]) {
        guard uids.count == weights.count else { throw .lengthMismatch }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw .invalidWeight }
        guard let top = weights.max(), top > 0 else { return ([], []) }
        var outUIDs: [UInt16] = [], outWeights: [UInt16] = []
        for (uid, weight) in zip(uids, weights) {
            let value = ((weight / top) * 65535).rounded(.toNearestOrEven)
            guard value >= 1 else { continue }
            outUIDs.append(uid)
            outWeights.append(UInt16(min(value, 65535)))
        }
        return (outUIDs, outWeights)
    }
}
