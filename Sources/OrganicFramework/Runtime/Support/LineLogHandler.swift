#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import Logging

/// The node's and the miner's log lines on standard error, one `write` per line:
///
///     2026-12-05T11:00:00.123Z info organic: key_id=key_gold request_id=req-1 [OrganicFramework] message
///
/// (UTC with milliseconds, then the level, label, metadata sorted by key, source module and message).
///
/// Metadata is rendered only when a line is written. swift-log's `StreamLogHandler` renders all of
/// it again at every change, and Hummingbird and the request-id middleware change it on every
/// request: at one connection that cost 1.4% of the node's CPU at any log level.
package struct LineLogHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    let label: String
    let descriptor: Int32

    /// A handler writing to standard error.
    package init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.init(label: label, descriptor: STDERR_FILENO, metadataProvider: metadataProvider)
    }

    /// A handler writing to an open file descriptor (tests use a pipe).
    package init(label: String, descriptor: Int32, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.descriptor = descriptor
        self.metadataProvider = metadataProvider
    }

    /// Makes every `Logger` of this process write through `LineLogHandler`; later calls do nothing
    /// (swift-log allows one bootstrap per process).
    package static func bootstrapProcess() { _ = processBootstrap }

    private static let processBootstrap: Void = LoggingSystem.bootstrap { LineLogHandler(label: $0) }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var line = Self.timestamp()
        line += " \(event.level) \(label):"
        for (key, value) in lineMetadata(event).sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        write(line)
    }

    /// The handler's metadata, then the provider's, the line's own and its error, later ones winning.
    func lineMetadata(_ event: LogEvent) -> Logger.Metadata {
        var all = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { all.merge(provided) { $1 } }
        if let explicit = event.metadata, !explicit.isEmpty { all.merge(explicit) { $1 } }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return all
    }

    /// Writes the whole line, resuming after partial writes and interrupts; a line that cannot be
    /// written is dropped (logging never fails a request).
    private func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            guard var next = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                #if canImport(Glibc)
                let written = Glibc.write(descriptor, next, left)
                #else
                let written = Darwin.write(descriptor, next, left)
                #endif
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                next += written
                left -= written
            }
        }
    }

    /// Now in UTC as `2026-12-05T11:00:00.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = Int(now.tv_nsec) / 1_000_000
        let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
