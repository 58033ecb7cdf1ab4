import Foundation
import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// Headless Chromium (Debian's `chromium` and `chromium-driver`, from scripts/setup.sh) driven by
/// Selenium (from scripts/python-test-requirements.txt, in the venv at `ORGANIC_PYTHON`).
enum BrowserPeer {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static let python: String? = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap {
        FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    }

    /// What is missing, or nil when the browser tests can run.
    static let missing: String? = {
        let files = FileManager.default
        guard files.isExecutableFile(atPath: chromium), files.isExecutableFile(atPath: chromedriver) else {
            return "chromium and chromedriver are not installed (scripts/setup.sh installs them)"
        }
        guard let python else { return "ORGANIC_PYTHON is not set (scripts/test.sh sets it)" }
        // The venv's site-packages: <venv>/lib/python3.x/site-packages/selenium.
        let lib = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lib")
        let versions = (try? files.contentsOfDirectory(atPath: lib.path)) ?? []
        guard versions.contains(where: { files.fileExists(atPath: lib.appendingPathComponent("\($0)/site-packages/selenium").path) }) else {
            return "selenium is not installed in the test venv (scripts/python-test-requirements.txt)"
        }
        return nil
    }()

    static var skipMessage: Comment { Comment(rawValue: missing ?? "") }
}

/// The console as an operator uses it, in a real browser against a real node with reference
/// miners. Screenshots go to `.build/test-output/console` (or, to refresh the documentation's
/// images, to the directory in `CONSOLE_DOCS_IMAGES`).
@Suite("Console in a browser", .serialized, .enabled(if: BrowserPeer.missing == nil, BrowserPeer.skipMessage))
struct ConsoleBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("sign in, create a key and read its secret once, list it, top it up, revoke it, see a miner's chart; a wrong token fails")
    func operatorJourney() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        let plugin = try TextEmbeddingPlugin()
        try await PluginHarness.run(plugins: [plugin], miners: PluginHarness.honestMiners(2), configuration: configuration) { net in
            // Traffic first, so that usage, rounds and the miners' charts have something to show.
            let key = try await net.createKey(KeyCreation(name: "acme-production", owner: "Acme", credits: 500, rateLimits: ["20/s"]))
            let request = try JSONEncoder().encode(TextEmbeddingRequest(input: ["a lighthouse at dusk"], dimensions: 64))
            for index in 0..<14 {
                let body = index % 7 == 6 ? Data(#"{"input":[],"dimensions":64}"#.utf8) : request
                _ = try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings", body: body, headers: ["X-API-Key": key.key])
            }
            #expect(try await net.waitForRounds(atLeast: 12).count >= 12)
            #expect(await eventually { (try? await net.context.keys?.usage(id: key.record.id, days: 1).days.map(\.requests).reduce(0, +)) == 14 })
            // Two payments as the webhook stores them: one credited, one naming no key.
            let store = try #require(net.context.keys?.store)
            for (event, keyID) in [("evt_console_paid", key.record.id), ("evt_console_unknown", "key_nobody")] {
                _ = try await store.applyPayment(PaymentCredit(provider: .stripe, eventID: event, keyID: keyID, credits: Credits(millis: 100_000),
                                                               reference: "cs_\(event)", amountPaid: 1000, currency: "usd"), now: Date())
            }

            let docs = ProcessInfo.processInfo.environment["CONSOLE_DOCS_IMAGES"]
            let output = docs ?? Self.root.appendingPathComponent(".build/test-output/console").path
            let script = Self.root.appendingPathComponent("Tests/Fixtures/console_browser.py").path
            let result = try await ChildProcess.run(try #require(BrowserPeer.python), [
                script, "--admin-url", net.adminURL, "--token", PluginHarness.adminToken, "--screenshots", output,
                "--chromium", BrowserPeer.chromium, "--chromedriver", BrowserPeer.chromedriver,
            ] + (docs == nil ? [] : ["--docs"]))
            #expect(result.status == 0, "\(result.outputText)\n\(result.errorText.suffix(3000))")
            let seen = try JSONSerialization.jsonObject(with: result.output) as? [String: Any]
            #expect(seen?["failure"] == nil)
            #expect(seen?["wrongTokenRefused"] as? Bool == true)
            #expect(seen?["secretShownOnce"] as? Bool == true)
            #expect(seen?["revoked"] as? Bool == true)
            #expect((seen?["minerChartPoints"] as? Int ?? 0) > 0)
            #expect(FileManager.default.fileExists(atPath: output + "/console-miner.png"))
        }
    }
}
