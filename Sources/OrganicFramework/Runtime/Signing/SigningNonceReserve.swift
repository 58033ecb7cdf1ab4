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
    private let randomBytes: @Sendable (Int) -> [UInt8]
    private let state = Mutex(State())
    private let refills = DispatchQueue(label: "organic.signing-nonces", qos: .utility)

    /// The wall-clock instant this process made its first nonce, and a count of the nonces it has
    /// made since, shared by every reserve: no two nonces of one key share the pair, whether
    /// they come from two reserves of the key (a btauth and an Epistula signer) or from a restart.
    private static let processEpoch = UInt64(max(0, Date().timeIntervalSince1970 * 1e9))
    private static let sequence = Atomic<UInt64>(0)

    private struct State {
        var nonces: [Sr25519SigningNonce] = []
        var refilling = false
    }

    package init(keypair: Sr25519Keypair, capacity: Int = defaultCapacity,
                 randomBytes: @escaping @Sendable (Int) -> [UInt8] = { Sodium.randomBytes($0) }) {
        self.keypair = keypair
        self.capacity = max(capacity, 0)
        self.randomBytes = randomBytes
    }

    /// A nonce no one else receives.
    package func take() -> Sr25519SigningNonce {
        let (held, refill) = state.withLock { state -> (Sr25519SigningNonce?, Bool) in
            let held = state.nonces.popLast()
            let refill = !state.refilling && state.nonces.count < capacity
            if refill { state.refilling = true }
            return (held, refill)
        }
        if refill { refills.async { self.refill() } }
        return held ?? makeNonce()
    }

    /// Nonces ready to hand out now.
    package var available: Int { state.withLock { $0.nonces.count } }

    /// Tops the reserve up to `capacity`, one nonce at a time, made outside the lock.
    private func refill() {
        while state.withLock({ state in
            if state.nonces.count >= capacity { state.refilling = false }
            return state.refilling
        }) {
            let nonce = makeNonce()
            state.withLock { $0.nonces.append(nonce) }
        }
    }

    private func makeNonce() -> Sr25519SigningNonce {
        let sequence = Self.sequence.wrappingAdd(1, ordering: .relaxed).oldValue
        return keypair.makeSigningNonce(epoch: Self.processEpoch, sequence: sequence, randomness: randomBytes(32))
    }
}
