extension NodeConfiguration {
    /// `admin.console`: the operator console served at `/console` on the admin listener. It
    /// opens only with an admin token configured (signing in takes the token).
    public struct Console: Codable, Sendable, Equatable {
        public var enabled = true
        /// A session unused this long is signed out.
        public var sessionIdleSeconds = 1800.0
        /// A session ends this long after sign-in, used or not.
        public var sessionMaxSeconds = 43_200.0
        /// Sessions kept at once; signing in beyond it ends the least recently used one.
        public var maxSessions = 32
        /// Wrong tokens accepted in a burst before sign-in answers 429; the allowance refills at
        /// `signInAttemptsPerMinute`.
        public var signInBurst = 5
        public var signInAttemptsPerMinute = 6.0
        /// Marks the session cookie `Secure`: set it when browsers reach the console over HTTPS
        /// (a TLS proxy in front of the admin listener); over plain HTTP they would drop it.
        public var secureCookie = false
        public init() {}

        /// The ranges `organic config check` and a starting node enforce.
        func validate() throws(ConfigurationError) {
            guard sessionIdleSeconds.isFinite, sessionIdleSeconds >= 60, sessionMaxSeconds.isFinite,
                  sessionMaxSeconds >= sessionIdleSeconds, sessionMaxSeconds <= 30 * 86_400 else {
                throw ConfigurationError("admin.console.sessionIdleSeconds must be at least 60 and at most sessionMaxSeconds (at most 30 days)")
            }
            guard (1...1024).contains(maxSessions) else { throw ConfigurationError("admin.console.maxSessions must be 1...1024") }
            guard (1...100).contains(signInBurst), signInAttemptsPerMinute.isFinite, signInAttemptsPerMinute > 0,
                  signInAttemptsPerMinute <= 600 else {
                throw ConfigurationError("admin.console.signInBurst must be 1...100 and signInAttemptsPerMinute in (0, 600]")
            }
        }
    }
}
