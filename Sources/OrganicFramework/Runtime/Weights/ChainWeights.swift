/// The u16 weight vector the chain takes, checked and computed exactly as the Bittensor SDK does
/// (`bittensor.intents.weights.normalize`, formerly `convert_weights_and_uids_for_emit`):
/// divide by the largest weight, multiply by 65535, round half to even, drop zeros. The
/// conversion itself is ``WeightCalculator/u16(uids:weights:minAllowedWeights:eligible:)``.
package enum ChainWeights {
    package enum Failure: Error, Equatable, Sendable {
        case lengthMismatch
        case invalidWeight
    }

    package static func u16(uids: [UInt16], weights: [Double]) throws(Failure) -> (uids: [UInt16], weights: [UInt16]) {
        guard uids.count == weights.count else { throw .lengthMismatch }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw .invalidWeight }
        let vector = WeightCalculator.u16(uids: uids, weights: weights)
        return (vector.uids, vector.weights)
    }
}
