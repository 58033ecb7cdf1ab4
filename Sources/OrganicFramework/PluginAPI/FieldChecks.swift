/// Small checks that plugins compose in ``Endpoint/validate(_:)``; each names the field and the
/// allowed values in its error so that callers can fix the request without reading docs.
public enum FieldCheck {
    /// The value lies in `range`.
    @inlinable
    public static func range<T: Comparable & Sendable>(
        _ value: T, _ range: ClosedRange<T>, field: String
    ) throws(RequestValidationError) {
        guard range.contains(value) else {
            throw RequestValidationError(
                code: "out_of_range", field: field,
                message: "\(field) must be between \(range.lowerBound) and \(range.upperBound), got \(value).")
        }
    }

    /// A floating-point value is finite and lies in `range`.
    @inlinable
    public static func finite(_ value: Double, _ range: ClosedRange<Double>, field: String) throws(RequestValidationError) {
        guard value.isFinite else {
            throw RequestValidationError(code: "out_of_range", field: field, message: "\(field) must be a finite number.")
        }
        try Self.range(value, range, field: field)
    }

    /// A string is not empty (after trimming white space) and has at most `maxLength` characters.
    @inlinable
    public static func text(_ value: String, maxLength: Int, field: String, allowEmpty: Bool = false) throws(RequestValidationError) {
        if !allowEmpty && value.allSatisfy(\.isWhitespace) {
            throw RequestValidationError(code: "missing_value", field: field, message: "\(field) must not be empty.")
        }
        guard value.count <= maxLength else {
            throw RequestValidationError(
                code: "too_long", field: field,
                message: "\(field) must be at most \(maxLength) characters, got \(value.count).")
        }
    }

    /// A value is one of the allowed ones.
    @inlinable
    public static func oneOf<T: Equatable & Sendable>(_ value: T, _ allowed: [T], field: String) throws(RequestValidationError) {
        guard allowed.contains(value) else {
            let list = allowed.map { "\($0)" }.joined(separator: ", ")
            throw RequestValidationError(
                code: "unsupported_value", field: field, message: "\(field) must be one of: \(list); got \(value).")
        }
    }

    /// A collection's size lies in `range`.
    @inlinable
    public static func count<C: Collection>(_ value: C, _ range: ClosedRange<Int>, field: String) throws(RequestValidationError) {
        guard range.contains(value.count) else {
            throw RequestValidationError(
                code: "invalid_count", field: field,
                message: "\(field) must hold between \(range.lowerBound) and \(range.upperBound) items, got \(value.count).")
        }
    }

    /// An integer is a multiple of `step` and lies in `range`.
    @inlinable
    public static func multiple(_ value: Int, of step: Int, in range: ClosedRange<Int>, field: String) throws(RequestValidationError) {
        guard range.contains(value), step > 0, value % step == 0 else {
            throw RequestValidationError(
                code: "out_of_range", field: field,
                message: "\(field) must be a multiple of \(step) between \(range.lowerBound) and \(range.upperBound), got \(value).")
        }
    }
}
