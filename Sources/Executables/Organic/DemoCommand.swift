import ArgumentParser
import Foundation
import Logging
import OrganicBundledPlugins
import OrganicFramework
import OrganicMinerKit

/// `organic demo`: a node and three reference miners (one faulty) on loopback.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a local node with three reference miners (one of them faulty) and live synthetic scoring.",
        discussion: "Everything listens on 127.0.0.1. Scores are stored in an SQLite file; press Ctrl-C to stop.")

    @Option(help: "Port of the public API.") var port = 8080
    @Option(help: "Port of the admin API.") var adminPort = 8081
    @Option(help: "SQLite database file.") var database = "data/demo.sqlite"
    @Option(help: "Seconds between synthetic queries.") var syntheticInterval = 0.5
    @Option(help: "Seconds between score reports; 0 disables them.") var reportInterval = 15.0
    @Option(help: "Length of a scoring period in seconds (600 on a real node; short here so weights appear quickly).")
    var periodSeconds = 30.0
    @Option(help: "Log level.") var logLevel = "notice"
    @Option(help: "Wire protocol between the node and its miners: \(MinerProtocol.allCases.map(\.rawValue).joined(separator: ", ")). With a signed one the miners get hotkeys and verify the node's signature, as real subnets do (axon serves the plugins' endpoints that name an SDK 10 synapse).",
            transform: { text in
                guard let parsed = MinerProtocol(rawValue: text) else {
                    throw ValidationError("unknown protocol '\(text)'; one of \(MinerProtocol.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return parsed
            })
    var minerProtocol: MinerProtocol = .unsigned

    func run() async throws {
        guard (0...65535).contains(port), (0...65535).contains(adminPort) else { throw ValidationError("ports must be 0...65535") }
        guard syntheticInterval > 0 else { throw ValidationError("--synthetic-interval must be positive") }
        guard periodSeconds >= 1 else { throw ValidationError("--period-seconds must be at least 1") }
        var configuration = NodeConfiguration()
        configuration.server.port = port
        configuration.admin.port = adminPort
        configuration.database.path = database
        configuration.synthetic.intervalSeconds = syntheticInterval
        configuration.dispatch.cooldownMaxSeconds = 5
        configuration.scoring.periodSeconds = periodSeconds
        configuration.weights.intervalSeconds = periodSeconds
        // A fresh admin token per run, so that `organic keys` works against the demo.
        let adminToken = ProcessInfo.processInfo.environment["ORGANIC_ADMIN_TOKEN"].flatMap { $0.count >= 16 ? $0 : nil }
            ?? "demo-" + APIKeyFormat.generate().dropFirst(APIKeyFormat.prefix.count).prefix(24)
        configuration.admin.token = adminToken
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let logger = makeLogger(label: "organic-demo", level: level)
        var plugins = try BundledPlugins.catalog.instantiate(configuration.plugins)
        let miners: [LocalNetwork.MinerSpec] = [
            .init(hardwareNoiseSeed: 11), .init(hardwareNoiseSeed: 22), .init(faults: .mixed, hardwareNoiseSeed: 33),
        ]
        let reportEvery = reportInterval
        // Over the Axon protocol only endpoints that name a synapse can be reached.
        if minerProtocol == .axonSynapse {
            let descriptors = plugins.flatMap { plugin in plugin.endpoints.map { $0.descriptor } }
            for name in descriptors.filter({ $0.synapse == nil }).map({ $0.name }) {
                var off = NodeConfiguration.EndpointOverride()
                off.enabled = false
                configuration.dispatch.endpoints[name] = off
            }
            plugins = plugins.filter { $0.endpoints.contains { $0.descriptor.synapse != nil } }
        }
        try await LocalNetwork.run(plugins: plugins, miners: miners, configuration: configuration,
                                   minerProtocol: minerProtocol == .unsigned ? nil : minerProtocol, signals: [.sigint, .sigterm],
                                   logger: logger) { context in
            let demoKey = try await context.keys?.create(KeyCreation(name: "demo", owner: "organic demo", credits: 1000,
                                                                       rateLimits: ["20/s", "10000/day"]))
            emit(Self.banner(context, apiKey: demoKey?.key ?? "(auth disabled)", adminToken: adminToken))
            guard reportEvery > 0, let admin = context.node.adminURL else {
                await context.untilShutdown()
                return
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await context.untilShutdown() }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(reportEvery))
                        if Task.isCancelled { break }
                        if let body = try? await AdminClient.get("\(admin)/admin/scores?window_seconds=600", token: adminToken),
                           let report = try? ScoreTable.decode(body) {
                            emit("\n" + ScoreTable.render(report))
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        emit("demo stopped; scores are kept in \(database)")
    }

    static func banner(_ context: LocalNetwork.Context, apiKey: String, adminToken: String) -> String {
        let api = context.node.publicURL
        let admin = context.node.adminURL ?? "(disabled)"
        return """

            Organic demo is running.
              public API : \(api)   (GET \(api)/v1/models)
              admin API  : \(admin)
              console    : \(admin)/console   (sign in with the admin token below)
              miners     : \(context.minerURLs.joined(separator: ", "))  (uid 3 is faulty)
              database   : \(context.configuration.database.path)

            A demo API key with 1000 credits and limits of 20/s and 10000/day (shown once; only its hash is stored):
              export ORGANIC_API_KEY=\(apiKey)
              export ORGANIC_ADMIN_TOKEN=\(adminToken)     # for `organic keys|scores|weights` and /admin/* on this node

            Try:

              curl -s \(api)/v1/text-embeddings -H "Authorization: Bearer $ORGANIC_API_KEY" -H 'Content-Type: application/json' \\
                   -d '{"input": ["a lighthouse at dusk"], "dimensions": 64}'

              curl -s \(api)/v1/text-to-image -H "Authorization: Bearer $ORGANIC_API_KEY" -H 'Content-Type: application/json' \\
                   -d '{"prompt": "a lighthouse at dusk", "model": "proteus-text-to-image", "width": 512, "height": 512, "steps": 8}' \\
                | python3 -c 'import sys,json,base64; open("out.png","wb").write(base64.b64decode(json.load(sys.stdin)["image_b64"]))'

              curl -sN \(api)/v1/chat/completions -H "Authorization: Bearer $ORGANIC_API_KEY" -H 'Content-Type: application/json' \\
                   -d '{"model": "chat-llama-3-2-3b", "messages": [{"role": "user", "content": "Describe a harbour"}], "stream": true}'

            The official OpenAI client works unchanged (pip install openai):
              python3 -c 'from openai import OpenAI; c = OpenAI(base_url="\(api)/v1", api_key="'$ORGANIC_API_KEY'")
              for e in c.chat.completions.create(model="chat-llama-3-2-3b", messages=[{"role": "user", "content": "Hi"}], stream=True):
                  print(e.choices[0].delta.content or "", end="", flush=True) if e.choices else None'

            Keys, credits and usage:
              organic keys list --admin-url \(admin)
              organic keys usage <key id> --admin-url \(admin)

            Scores (the faulty miner falls behind within a minute):
              organic scores --admin-url \(admin)
              curl -s \(admin)/admin/scores -H "Authorization: Bearer $ORGANIC_ADMIN_TOKEN"

            """
    }
}
