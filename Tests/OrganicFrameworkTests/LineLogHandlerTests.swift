import Foundation
import Logging
@testable import OrganicFramework
import Testing

/// The node's log lines: what an operator greps for and what a log shipper parses.
@Suite("Log lines")
struct LineLogHandlerTests {
    /// Logs through a handler writing into a pipe and returns the lines written.
    static func lines(_ body: (inout Logger) -> Void) throws -> [String] {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
        var logger = Logger(label: "organic") { LineLogHandler(label: $0, descriptor: ends[1]) }
        body(&logger)
        close(ends[1])
        let reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        let text = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test("a line is a UTC timestamp, the level, the label, the metadata sorted by key, the source and the message")
    func layout() throws {
        let lines = try Self.lines { logger in
            logger[metadataKey: "request_id"] = "req-1"
            logger[metadataKey: "key_id"] = "key_gold"
            logger.warning("miner answered late", metadata: ["uid": "7"], source: "Dispatch")
        }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        let stamp = try #require(line.split(separator: " ").first)
        #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(stamp)")
        let parsed = try #require(ISO8601DateFormatter.withFractionalSeconds.date(from: String(stamp)))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
        #expect(line.dropFirst(stamp.count) == " warning organic: key_id=key_gold request_id=req-1 uid=7 [Dispatch] miner answered late")
    }

    @Test("metadata changed many times shows its last values; levels below the logger's write nothing")
    func lastValuesAndLevels() throws {
        let lines = try Self.lines { logger in
            logger.logLevel = .info
            for n in 0..<100 { logger[metadataKey: "request_id"] = "req-\(n)" }
            logger[metadataKey: "gone"] = "x"
            logger[metadataKey: "gone"] = nil
            logger.debug("not written")
            logger.info("written")
        }
        #expect(lines.count == 1)
        #expect(lines.first?.hasSuffix(" info organic: request_id=req-99 [OrganicFrameworkTests] written") == true, "\(lines)")
    }

    @Test("an error is named in the line's metadata; a line's own metadata wins over the logger's")
    func errorAndPrecedence() throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "refused by miner" } }
        let lines = try Self.lines { logger in
            logger[metadataKey: "uid"] = "1"
            logger.error("dispatch failed", error: Refused(), metadata: ["uid": "2"], source: "Dispatch")
        }
        let line = try #require(lines.first)
        #expect(line.contains(" error organic: error.message=refused by miner error.type="), "\(line)")
        #expect(line.hasSuffix(" uid=2 [Dispatch] dispatch failed"), "\(line)")
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
