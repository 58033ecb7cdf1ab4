/// A request asking for miners: who it is for and how urgent it is.
package struct AdmissionTicket: Sendable {
    /// Priority classes: organic traffic is served before synthetic checks, except that the
    /// synthetic floor guarantees scoring a minimum share.
    package enum Traffic: String, Sendable, Codable {
        case organic
        case synthetic
    }

    package var endpoint: String
    package var traffic: Traffic
    /// The fairness flow, normally the API key id; requests of one flow never starve another's.
    package var flow: String
    /// The flow's weight within its class (from the key's tier).
    package var weight: Double
    /// Miners wanted (N for a scored query, 1 otherwise); fewer are granted when only fewer are free.
    package var miners: Int
    /// Longest time the request may wait before it must start.
    package var maxWait: Duration
    /// Raised when the caller goes away; a queued request then leaves the queue at once.
    package var disconnect: DisconnectSignal?

    package init(endpoint: String, traffic: Traffic, flow: String = "anonymous", weight: Double = 1, miners: Int, maxWait: Duration,
                disconnect: DisconnectSignal? = nil) {
        self.endpoint = endpoint
        self.traffic = traffic
        self.flow = flow
        self.weight = weight
        self.miners = miners
        self.maxWait = maxWait
        self.disconnect = disconnect
    }
}

/// Why a request was refused without being served.
package enum AdmissionRefusal: Error, Sendable, Equatable {
    /// The class's queue for this endpoint is full.
    case queueFull(retryAfterSeconds: Int)
    /// The request could not (or would not) start before its deadline.
    case deadlineExceeded(retryAfterSeconds: Int)
    /// The node as a whole holds too many queued requests.
    case overloaded(retryAfterSeconds: Int)
    /// No miner serves this endpoint, or every one is cooling down past the request's deadline.
    case noMiners(retryAfterSeconds: Int)
    /// The waiting task was cancelled.
    case cancelled
    /// The caller's connection closed while the request waited.
    case clientDisconnected
}
