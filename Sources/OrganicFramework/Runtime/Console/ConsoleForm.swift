import Foundation
import Hummingbird
import NIOCore

/// A submitted HTML form (`application/x-www-form-urlencoded`): at most ``maxBytes`` and
/// ``maxFields`` fields; repeated names (checkboxes) keep every value.
struct ConsoleForm: Sendable {
    static let maxBytes = 64 << 10
    static let maxFields = 256

    private(set) var fields: [(name: String, value: String)] = []

    /// Parses an urlencoded body; malformed percent escapes, too many fields or non-UTF-8 text
    /// are refused with 400 `invalid_form`.
    init(parsing body: String) throws(APIError) {
        guard !body.isEmpty else { return }
        let pairs = body.split(separator: "&", omittingEmptySubsequences: true)
        guard pairs.count <= Self.maxFields else {
            throw APIError(.badRequest, code: "invalid_form", message: "The form has more than \(Self.maxFields) fields.")
        }
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw APIError(.badRequest, code: "invalid_form", message: "The form is not valid URL-encoded UTF-8.")
            }
            fields.append((name, value))
        }
    }

    /// Reads and parses the body of `request`; refuses other content types with 415.
    static func read(_ request: Request) async throws -> ConsoleForm {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "The console takes forms as application/x-www-form-urlencoded.")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBytes) } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: maxBytes)
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw APIError(.badRequest, code: "invalid_form", message: "The form is not valid URL-encoded UTF-8.")
        }
        return try ConsoleForm(parsing: text)
    }

    /// The first value of `name`, trimmed; nil when absent or empty.
    func value(_ name: String) -> String? {
        guard let raw = fields.first(where: { $0.name == name })?.value else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Every non-empty value of `name`, in order.
    func values(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map { $0.value.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// A number field; nil when empty, 400 naming the field when it is not a finite number.
    func number(_ name: String) throws(APIError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw APIError(.badRequest, code: "invalid_value", message: "\(name) must be a number.", field: name)
        }
        return number
    }

    /// A whole-number field; nil when empty.
    func integer(_ name: String) throws(APIError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else {
            throw APIError(.badRequest, code: "invalid_value", message: "\(name) must be a whole number.", field: name)
        }
        return number
    }

    /// `+` is a space; `%XX` a byte; the bytes must be UTF-8.
    private static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
