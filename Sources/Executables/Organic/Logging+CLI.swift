import Foundation
import Logging
import OrganicFramework

/// Builds the process's logger at the configured level (every logger of the process writes
/// through `LineLogHandler`).
func makeLogger(label: String, level: Logger.Level) -> Logger {
    LineLogHandler.bootstrapProcess()
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}

/// Writes a line to standard output unbuffered, so it shows at once even when piped.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
