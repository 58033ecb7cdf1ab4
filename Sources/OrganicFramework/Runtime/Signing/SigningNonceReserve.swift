import Dispatch
import Foundation
package import OrganicCrypto
import Synchronization

/// sr25519 signing nonces made ahead of the requests that sign with them, so that a request's
/// signature costs a few microseconds instead of the ~20 µs of its nonce's commitment: at one
/// connection the node waits on its miner with a core to spare, and the reserve is refilled then.
///
/// Each nonce is handed out once, under a lock. A request that finds the reserve empty makes its
/// nonce itself. Taking a nonce starts a refill on a queue of the reserve's own unless one is
/// running, which tops the reserve up to `capacity`: one nonce per nonce taken, so that a
/// steady stream of requests is followed by a steady trickle of work, not a burst of 30 that
/// delays the requests sharing its core.
package final class SigningNonceReserve: Sendable {
    /// Nonces held at most: a burst of requests that takes them all signs inline until the
    /// refill catches up.
    package static let defaultCapacity = 64

    let keypair: Sr25519Keypair
    let capacity: Int
    /// The wall-clock instant the reserve started, in the nonce transcript with the sequence
    /// number, so that no two reserves of one key (a restart) make a nonce from the same pair.
    private let epoch: UInt64
    private let randomBytes: @Sendable (Int) -> [UInt8]
    private let state = Mutex(State())
    private let refills = DispatchQueue(label: "organic.signing-nonces", qos: .utility)

    private struct State {
        var nonces: [Sr25519SigningNonce] = []
        var nextSequence: UInt64 = 0
        var refilling = false
    }

    package init(keypair: Sr25519Keypair, capacity: Int = defaultCapacity,
                 randomBytes: @escaping @Sendable (Int) -> [UInt8] = { Sodium.randomBytes($0) }) {
        self.keypair = keypair
        self.capacity = max(capacity, 0)
        self.epoch = UInt64(max(0, Date().timeIntervalSince1970 * 1e9))
        self.randomBytes = randomBytes
    }

    /// A nonce no one else receives.
    package func take() -> Sr25519SigningNonce {
        let (held, sequence, refill) = state.withLock { state -> (Sr25519SigningNonce?, UInt64, Bool) in
            let held = state.nonces.popLast()
            var sequence: UInt64 = 0
            if held == nil {
                sequence = state.nextSequence
                state.nextSequence += 1
            }
            let refill = !state.refilling && state.nonces.count < capacity
            if refill { state.refilling = true }
            return (held, sequence, refill)
        }
        if refill { refills.async { self.refill() } }
        return held ?? makeNonce(sequence: sequence)
    }

    /// Nonces ready to hand out now.
    package var available: Int { state.withLock { $0.nonces.count } }

    /// Tops the reserve up to `capacity`, one nonce at a time, the lock held only to number and store each.
    private func refill() {
        while true {
            let sequence = state.withLock { state -> UInt64? in
                guard state.nonces.count < capacity else {
                    state.refilling = false
                    return nil
                }
                defer { state.nextSequence += 1 }
                return state.nextSequence
            }
            guard let sequence else { return }
            let nonce = makeNonce(sequence: sequence)
            state.withLock { $0.nonces.append(nonce) }
        }
    }

    private func makeNonce(sequence: UInt64) -> Sr25519SigningNonce {
        keypair.makeSigningNonce(epoch: epoch, sequence: sequence, randomness: randomBytes(32))
    }
}
