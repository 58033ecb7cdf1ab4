import Foundation

/// How the console writes times, amounts and shares (UTC, fixed formats, no locale).
enum ConsoleFormat {
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        return date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: false).timeSeparator(.colon).dateTimeSeparator(.space)) + " UTC"
    }

    static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        if value < 1 { return String(format: "%.0f ms", value * 1000) }
        if value < 120 { return String(format: "%.1f s", value) }
        return String(format: "%.0f min", value / 60)
    }

    static func score(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.3f", value)
    }

    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: value < 0.1 && value > 0 ? "%.2f%%" : "%.1f%%", value * 100)
    }

    /// `part / whole` as a percentage, "—" when `whole` is zero.
    static func share(_ part: Int, of whole: Int) -> String {
        whole > 0 ? percent(Double(part) / Double(whole)) : "—"
    }

    /// Credits with a sign when asked (`+5`, `-0.25`).
    static func credits(_ value: Credits, signed: Bool = false) -> String {
        signed && value.millis > 0 ? "+\(value)" : "\(value)"
    }

    /// A hotkey short enough for a table cell.
    static func hotkey(_ hotkey: String) -> String {
        hotkey.count <= 14 ? hotkey : "\(hotkey.prefix(6))…\(hotkey.suffix(6))"
    }

    /// `text` as one path segment of a console URL.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? text
    }

    /// `text` as a query value.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
