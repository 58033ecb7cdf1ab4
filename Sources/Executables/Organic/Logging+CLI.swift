import Foundation
import Logging

/// Builds the process's logger at the configured level.
func makeLogger(label: String, level: Logger.Level) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}

/// Writes a line to standard output unbuffered, so it shows at once even when piped.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
