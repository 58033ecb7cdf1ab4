public import Logging


/// Every setting of a node. Each has a default; a YAML file and `ORGANIC_*` environment
/// variables override them (see ``ConfigurationLoader``).
public struct NodeConfiguration: Codable, Sendable, Equatable {
    public var node = Identity()
    public var server = Listener(host: "127.0.0.1", port: 8080)
    public var admin = AdminListener()
    public var auth = Auth()
    public var database = Database()
    public var dispatch = Dispatch()
    public var synthetic = Synthetic()
    public var scoring = Scoring()
    public var weights = Weights()
    /// How long rounds and the usage log are kept (see ``Retention``).
    public var retention = Retention()
    public var plugins = Plugins()
    public var miners: [StaticMiner] = []
    public var logging = Logging()
    public var chain = Chain()
    public var payments = Payments()
    /// Further subnets served by this node, each with its own plugins, identity and miners
    /// (see ``Subnet``); empty: one subnet with every plugin.
    public var subnets: [Subnet] = []

    public init() {}

    /// Who this validator is on the subnet.
    public struct Identity: Codable, Sendable, Equatable {
        /// The validator's uid; selects the block of seeds it assigns (see `SeedRange`).
        /// Null on a local demo: the first block is used.
        public var validatorUID: Int?
        /// Bittensor wallet (coldkey directory) name whose hotkey signs requests to miners.
        /// With `hotkey`; when both are absent the node sends unsigned requests.
        public var wallet: String?
        /// Hotkey file name inside the wallet (`<walletPath>/<wallet>/hotkeys/<hotkey>`).
        public var hotkey: String?
        /// Wallets directory; defaults to `~/.bittensor/wallets`.
        public var walletPath: String?
        public init() {}

        /// Unset values are written as null so that the file and environment loader knows
        /// these keys (it refuses keys the defaults do not contain; synthesized encoding
        /// omits nil, which made `validatorUID` unusable from YAML). New properties must be
        /// added here too.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(validatorUID, forKey: .validatorUID)
            try container.encode(wallet, forKey: .wallet)
            try container.encode(hotkey, forKey: .hotkey)
            try container.encode(walletPath, forKey: .walletPath)
        }
    }

    /// An HTTP listener.
    public struct Listener: Codable, Sendable, Equatable {
        /// Interface to bind. `127.0.0.1` by default: set `0.0.0.0` to accept outside traffic.
        public var host: String
        /// TCP port; 0 picks a free one (tests).
        public var port: Int
        /// Longest wait for in-flight requests and scoring rounds at shutdown before they are
        /// cancelled.
        public var shutdownGraceSeconds: Double
        /// A connection with no request in progress (idle between requests, or still sending
        /// its request head) is closed after this many seconds.
        public var idleTimeoutSeconds: Double
        /// A request whose body has not fully arrived this many seconds after its head is cut off.
        public var bodyTimeoutSeconds: Double
        /// Open connections at once; more are closed as soon as they are accepted. Also capped
        /// by the process's descriptor limit (less 256 kept for miners and files).
        public var maxConnections: Int
        /// Request body bytes held at once across all requests (each claims its declared length,
        /// or its endpoint's limit); a request that does not fit gets 503 with `Retry-After`.
        public var maxBufferedRequestBytes: Int
        public init(host: String, port: Int, shutdownGraceSeconds: Double = 30, idleTimeoutSeconds: Double = 30,
                    bodyTimeoutSeconds: Double = 60, maxConnections: Int = 10_000, maxBufferedRequestBytes: Int = 512 << 20) {
            self.maxBufferedRequestBytes = maxBufferedRequestBytes
            self.host = host
            self.port = port
            self.shutdownGraceSeconds = shutdownGraceSeconds
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.bodyTimeoutSeconds = bodyTimeoutSeconds
            self.maxConnections = maxConnections
        }
    }

    /// The operators' API (scores, miners, keys). Binds to loopback unless told otherwise.
    public struct AdminListener: Codable, Sendable, Equatable {
        public var enabled = true
        public var host = "127.0.0.1"
        public var port = 8081
        /// Token that `/admin/keys` requires (`Authorization: Bearer <token>`); kept in memory
        /// only as its SHA-256. Empty: key administration over HTTP is refused.
        public var token = ""
        /// The same, given as the lowercase hex SHA-256 of the token, so that the file need not
        /// hold the token itself (`printf %s TOKEN | sha256sum`).
        public var tokenSha256 = ""
        /// The browser console at `/console` (see ``Console``).
        public var console = Console()
        public init() {}
    }

    /// API keys on the public endpoints (see Docs/Keys.md).
    public struct Auth: Codable, Sendable, Equatable {
        /// Require an API key on every `/v1` endpoint, with scopes, rate limits and credits.
        /// Off: the endpoints are open and nothing is charged or logged per key.
        public var enabled = true
        public init() {}
    }

    public struct Database: Codable, Sendable, Equatable {
        /// SQLite file, created with its directory if missing (the default backend, one node).
        /// With `url` set it is not opened; files kept beside it (`weights.json`) still go to its directory.
        public var path = "data/organic.sqlite"
        /// `postgres://user:password@host:port/database[?sslmode=disable|prefer|require]`: keep
        /// keys, credits, scores and weights in PostgreSQL, shared by several nodes. Unset: SQLite.
        public var url: String?
        /// PostgreSQL connections this node's pool opens at most.
        public var maxConnections = 20
        /// With PostgreSQL: seconds between re-checks of keys changed by other instances (the
        /// fallback when a change notification is missed; the bound on how long a revoked key
        /// can still be accepted by another instance).
        public var keyRecheckSeconds = 5.0
        /// With PostgreSQL: this instance's stable name, under which its score periods are kept
        /// (unset: `<host name>:<server.port>`). Give each instance its own.
        public var nodeName: String?
        /// With PostgreSQL: seconds between a follower's attempts to become the leader (the one
        /// instance that sets weights, sends synthetic queries and reads the metagraph), and
        /// between the leader's checks of its lock session; a dead leader is replaced within it.
        public var leaderRetrySeconds = 5.0
        public init() {}

        /// `url` when it names a PostgreSQL database (an empty one means SQLite, as unset).
        package var postgresURL: String? { url.flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// How organic and synthetic queries reach miners.
    public struct Dispatch: Codable, Sendable, Equatable {
        /// Miners that answer the same scored query (N).
        public var minersPerQuery = 2
        /// Extra attempts on another miner after a failure or timeout.
        public var retries = 1
        /// Share of organic queries that are also scored (sent to N miners).
        public var organicScoringProbability = 0.25
        /// Concurrent requests one miner is sent per endpoint when neither its own entry, nor
        /// `endpoints.<name>.minerCapacity`, nor the miner's declaration sets a capacity.
        public var defaultMinerCapacity = 8
        /// Seconds between two capacity probes of each miner, for plugins whose miners declare
        /// their capacity over HTTP (see Docs/Scheduling.md).
        public var capacityProbeSeconds = 60.0
        /// The most concurrent requests per endpoint a miner's declaration is trusted with.
        public var maxDeclaredCapacity = 64
        /// First cooldown after a failure, in seconds; doubles with each further failure.
        public var cooldownBaseSeconds = 1.0
        /// Longest cooldown, in seconds.
        public var cooldownMaxSeconds = 300.0
        /// Pause after a miner answers 429 (busy), in seconds. Busy is not a failure.
        public var busyBackoffSeconds = 1.0
        /// Per-endpoint overrides, keyed by endpoint name.
        public var endpoints: [String: EndpointOverride] = [:]
        /// How requests to miners are signed when the node has a hotkey: `btauth` (the SDK's
        /// btauth/1), `epistula` (Epistula v2) or `none`.
        public var signing: RequestSigningScheme = .btauth
        /// Queueing and shedding (see Docs/Scheduling.md).
        public var queues = Queues()
        /// How miners are ranked for organic traffic.
        public var selection = Selection()
        /// Use only this validator's stake share of each miner's capacity; null: automatic
        /// (on when `node.validatorUID` is set and the metagraph has stakes).
        public var stakeProportionalCapacity: Bool?
        /// The protocol miners speak unless their endpoint (`endpoints.<name>.minerProtocol`) or
        /// subnet (`subnets[].minerProtocol`) says otherwise: `btauth/1`, `epistula/2`, `axon`,
        /// `fiber/1`, `fiber/2` or `unsigned`. Null: each plugin's own choice, else `signing`.
        public var minerProtocol: MinerProtocol?
        public init() {}

        /// Unset values are written as null so the loader knows every key (see `Identity`).
        /// New properties must be added here too.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(minersPerQuery, forKey: .minersPerQuery)
            try container.encode(retries, forKey: .retries)
            try container.encode(organicScoringProbability, forKey: .organicScoringProbability)
            try container.encode(defaultMinerCapacity, forKey: .defaultMinerCapacity)
            try container.encode(capacityProbeSeconds, forKey: .capacityProbeSeconds)
            try container.encode(maxDeclaredCapacity, forKey: .maxDeclaredCapacity)
            try container.encode(cooldownBaseSeconds, forKey: .cooldownBaseSeconds)
            try container.encode(cooldownMaxSeconds, forKey: .cooldownMaxSeconds)
            try container.encode(busyBackoffSeconds, forKey: .busyBackoffSeconds)
            try container.encode(endpoints, forKey: .endpoints)
            try container.encode(signing, forKey: .signing)
            try container.encode(queues, forKey: .queues)
            try container.encode(selection, forKey: .selection)
            try container.encode(stakeProportionalCapacity, forKey: .stakeProportionalCapacity)
            try container.encode(minerProtocol, forKey: .minerProtocol)
        }
    }

    public struct Queues: Codable, Sendable, Equatable {
        /// Waiting requests per endpoint and class (organic, synthetic) before 429 `queue_full`.
        public var maxDepth = 256
        /// Waiting requests in the whole node before 503 `overloaded`.
        public var maxTotalQueued = 4096
        /// Share of recent dispatches per endpoint that must be scored; below it synthetic
        /// queries go before organic ones. Scored organic queries count toward it.
        public var syntheticFloor = 0.05
        /// Dispatches per endpoint over which the floor is measured.
        public var floorWindow = 200
        /// A request must start within this fraction of its endpoint's timeout, else 429 `queue_timeout`.
        public var maxWaitFraction = 0.5
        /// Weight of each key tier in the fair queue (a `priority` key gets 4 turns per `standard` turn).
        public var tierWeights: [String: Double] = ["standard": 1, "priority": 4]
        public init() {}
    }

    public struct Selection: Codable, Sendable, Equatable {
        /// Weight of (1 − recent score) in the organic ranking.
        public var scoreWeight = 0.5
        /// Weight of recent latency ÷ timeout.
        public var latencyWeight = 0.2
        /// Weight of a uniform random term, so selection cannot be predicted or gamed.
        public var randomness = 0.2
        public init() {}
    }

    /// Operator overrides of a plugin's endpoint defaults.
    public struct EndpointOverride: Codable, Sendable, Equatable {
        /// Credits per call.
        public var price: Double?
        /// Credits per unit of usage (such as `prompt_tokens`), replacing the plugin's price for those units.
        public var unitPrices: [String: Double]?
        /// Longest time the endpoint's reward function may take before its round is discarded.
        public var scoringTimeoutSeconds: Double?
        public var timeoutSeconds: Double?
        public var maxRequestBytes: Int?
        public var enabled: Bool?
        /// Concurrent requests per miner on this endpoint when the miner's entry sets none and
        /// it declares none; replaces `dispatch.defaultMinerCapacity` for this endpoint.
        public var minerCapacity: Int?
        /// The protocol this endpoint's miners speak, overriding its subnet's and plugin's.
        public var minerProtocol: MinerProtocol?
        /// The SDK ≤ 10 synapse for `minerProtocol: axon`, overriding the plugin's
        /// (`{name, requiredHashFields, floatFields}`).
        public var synapse: SynapseDescription?
        public init() {}
    }

    /// The validator's own scoring queries.
    public struct Synthetic: Codable, Sendable, Equatable {
        public var enabled = true
        /// Seconds between two synthetic queries (each goes to N miners).
        public var intervalSeconds = 5.0
        /// Endpoints to probe; empty means all.
        public var endpoints: [String] = []
        public init() {}
    }

    public struct Plugins: Codable, Sendable, Equatable {
        /// Plugin names to load; empty means every plugin the executable ships.
        public var enabled: [String] = []
        /// Each plugin's own settings, keyed by plugin name; decoded by the plugin.
        public var settings: [String: JSONValue] = [:]
        public init() {}
    }

    /// The Bittensor chain: where the metagraph comes from when `endpoint` is set.
    public struct Chain: Codable, Sendable, Equatable {
        /// Subtensor JSON-RPC WebSocket URL, e.g. `wss://entrypoint-finney.opentensor.ai:443`,
        /// `wss://test.finney.opentensor.ai:443` or `ws://127.0.0.1:9944`. Null: use `miners:`.
        public var endpoint: String?
        /// The subnet's netuid (required with `endpoint`).
        public var netuid: Int?
        /// Seconds between metagraph refreshes from the chain.
        public var metagraphRefreshSeconds = 120.0
        /// Seconds to wait for one JSON-RPC answer.
        public var requestTimeoutSeconds = 30.0
        /// Set weights on the chain through the official SDK (`Tools/weights_bridge.py`).
        /// Needs `node.wallet`/`node.hotkey`, `chain.netuid` and `bittensor` installed for `python`.
        public var setWeights = false
        /// Python interpreter with the `bittensor` package, for the weights bridge.
        public var python = "python3"
        /// Path of the weights bridge script.
        public var weightsBridge = "Tools/weights_bridge.py"
        /// Network given to the SDK: `finney`, `test`, `local` or a ws(s):// URL; null uses `endpoint`, else finney.
        public var network: String?
        /// Weights version key the subnet requires (0 unless the subnet owner says otherwise).
        public var versionKey: UInt64 = 0
        public init() {}

        /// Unset values are written as null so the loader knows every key (see `Identity`).
        /// New properties must be added here too.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(endpoint, forKey: .endpoint)
            try container.encode(netuid, forKey: .netuid)
            try container.encode(metagraphRefreshSeconds, forKey: .metagraphRefreshSeconds)
            try container.encode(requestTimeoutSeconds, forKey: .requestTimeoutSeconds)
            try container.encode(setWeights, forKey: .setWeights)
            try container.encode(python, forKey: .python)
            try container.encode(weightsBridge, forKey: .weightsBridge)
            try container.encode(network, forKey: .network)
            try container.encode(versionKey, forKey: .versionKey)
        }
    }

    public struct Logging: Codable, Sendable, Equatable {
        /// trace, debug, info, notice, warning, error or critical (another word fails at load).
        public var level = Logger.Level.info
        public init() {}
    }
}

/// A miner listed in the configuration file, for the static metagraph.
public struct StaticMiner: Codable, Sendable, Equatable {
    public var uid: Int
    public var hotkey: String
    /// Base URL of the miner's HTTP server, such as `http://127.0.0.1:9001`.
    public var url: String
    public var coldkey: String?
    public var stake: Double?
    /// Endpoint names it serves; absent means all.
    public var endpoints: [String]?
    /// Concurrent requests it accepts on each endpoint; absent means the operator's default
    /// (`dispatch.endpoints.<name>.minerCapacity`, else `dispatch.defaultMinerCapacity`).
    /// Also caps what the miner declares.
    public var capacity: Int?
    /// Concurrent requests per endpoint name (overrides `capacity` for those endpoints).
    public var capacities: [String: Int]?

    public init(uid: Int, hotkey: String, url: String, coldkey: String? = nil, stake: Double? = nil,
                endpoints: [String]? = nil, capacity: Int? = nil, capacities: [String: Int]? = nil) {
        self.uid = uid
        self.hotkey = hotkey
        self.url = url
        self.coldkey = coldkey
        self.stake = stake
        self.endpoints = endpoints
        self.capacity = capacity
        self.capacities = capacities
    }
}
