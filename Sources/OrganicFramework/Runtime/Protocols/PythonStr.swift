/// Python's `str()` and `repr()` of JSON-shaped values (as `json.loads` or pydantic's
/// `model_dump()` hold them), which the SDK ≤ 10 body hash is computed over.
///
/// `str` of a string is the string itself; every other value is its `repr`: `None`, `True`,
/// `False`, ints in decimal, floats in Python's shortest round-trip form (`1.0`, `1e-05`,
/// `1e+16`, `inf`, `nan`), lists as `[a, b]`, dicts as `{'k': v}` with string keys and values
/// quoted and escaped the way CPython's `unicode_repr` does.
package enum PythonStr {
    /// The Unicode database a Python build uses; it decides which characters `repr` prints
    /// and which it escapes (characters newer than it are unassigned there, so escaped).
    package struct UnicodeVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
        package var major: Int
        package var minor: Int

        package init(major: Int, minor: Int) {
            self.major = major
            self.minor = minor
        }

        /// Parses `unicodedata.unidata_version` (`"14.0.0"`).
        package init?(_ text: String) {
            let parts = text.split(separator: ".").map { Int($0) }
            guard parts.count >= 2, let major = parts[0], let minor = parts[1] else { return nil }
            self.init(major: major, minor: minor)
        }

        package static let python310 = UnicodeVersion(major: 13, minor: 0)
        package static let python311 = UnicodeVersion(major: 14, minor: 0)
        package static let python312 = UnicodeVersion(major: 15, minor: 0)
        package static let python313 = UnicodeVersion(major: 15, minor: 1)
        package static let python314 = UnicodeVersion(major: 16, minor: 0)

        package static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }
        package var description: String { "\(major).\(minor)" }
    }

    /// How the receiving model holds a field's numbers: as the JSON says (`1` an int, `1.0` a
    /// float), or all as floats (a pydantic `float` or `list[float]` field turns `1` into `1.0`).
    package enum Numbers: Sendable, Hashable {
        case asParsed
        case floats
    }

    /// `str(value)`.
    package static func str(_ value: SynapseJSON, numbers: Numbers = .asParsed, unicode: UnicodeVersion = .python311) -> String {
        if case .string(let string) = value { return string }
        return repr(value, numbers: numbers, unicode: unicode)
    }

    /// `repr(value)`.
    package static func repr(_ value: SynapseJSON, numbers: Numbers = .asParsed, unicode: UnicodeVersion = .python311) -> String {
        var out = ""
        write(value, numbers: numbers, unicode: unicode, to: &out)
        return out
    }

    static func write(_ value: SynapseJSON, numbers: Numbers, unicode: UnicodeVersion, to out: inout String) {
        switch value {
        case .null: out += "None"
        case .bool(let flag): out += flag ? "True" : "False"
        case .int(let digits):
            switch numbers {
            case .asParsed: out += digits
            // Correctly rounded, as Python's float(int).
            case .floats: out += floatRepr(Double(digits) ?? .nan)
            }
        case .float(let number): out += floatRepr(number)
        case .string(let string): out += stringRepr(string, unicode: unicode)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                write(item, numbers: numbers, unicode: unicode, to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (i, entry) in object.entries.enumerated() {
                if i > 0 { out += ", " }
                out += stringRepr(entry.key, unicode: unicode)
                out += ": "
                write(entry.value, numbers: numbers, unicode: unicode, to: &out)
            }
            out += "}"
        }
    }

    // MARK: Floats

    /// `repr(float)`: the shortest digits that read back to the same double (Swift's
    /// `description` finds the same ones), laid out by CPython's rule: scientific when the
    /// decimal exponent is below -4 or at least 16, otherwise positional with at least `.0`.
    package static func floatRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let sign = value.sign == .minus ? "-" : ""
        guard value != 0 else { return sign + "0.0" }
        var (digits, decimalPoint) = shortestDigits(abs(value))
        // value = 0.d1d2…dn × 10^decimalPoint
        if decimalPoint <= -4 || decimalPoint > 16 {
            var mantissa = String(digits.removeFirst())
            if !digits.isEmpty { mantissa += "." + String(digits) }
            let exponent = decimalPoint - 1
            let magnitude = String(abs(exponent))
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
        }
        if decimalPoint <= 0 {
            return sign + "0." + String(repeating: "0", count: -decimalPoint) + String(digits)
        }
        if decimalPoint >= digits.count {
            return sign + String(digits) + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
        }
        let split = digits.index(digits.startIndex, offsetBy: decimalPoint)
        return sign + String(digits[..<split]) + "." + String(digits[split...])
    }

    /// The significant digits (no leading or trailing zeros) of a positive finite double and
    /// the position of the decimal point relative to them, from Swift's shortest description
    /// (`"1.25e-07"`, `"1000.0"`, `"0.001"`).
    static func shortestDigits(_ value: Double) -> (digits: [Character], decimalPoint: Int) {
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0]
        let integerCount = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = Array(mantissa.filter { $0 != "." })
        var decimalPoint = integerCount + exponent
        while digits.first == "0" {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, decimalPoint)
    }

    // MARK: Strings

    /// `repr(str)`: single quotes unless the text holds `'` and no `"`; `\\`, `\t`, `\n`, `\r`
    /// and the chosen quote escaped; other ASCII controls as `\xhh`; non-ASCII kept when
    /// printable (not in categories C* or Z*, and assigned in `unicode`), otherwise `\xhh`,
    /// `\uhhhh` or `\Uhhhhhhhh`.
    package static func stringRepr(_ string: String, unicode: UnicodeVersion = .python311) -> String {
        var hasSingle = false, hasDouble = false
        for scalar in string.unicodeScalars {
            if scalar == "'" { hasSingle = true } else if scalar == "\"" { hasDouble = true }
        }
        let quote: Unicode.Scalar = hasSingle && !hasDouble ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for scalar in string.unicodeScalars {
            switch scalar {
            case quote, "\\":
                out.append("\\")
                out.append(scalar)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                let value = scalar.value
                if value < 0x20 || value == 0x7F {
                    out.append(contentsOf: escaped(value, prefix: "\\x", width: 2).unicodeScalars)
                } else if value < 0x7F || isPrintable(scalar, unicode: unicode) {
                    out.append(scalar)
                } else if value <= 0xFF {
                    out.append(contentsOf: escaped(value, prefix: "\\x", width: 2).unicodeScalars)
                } else if value <= 0xFFFF {
                    out.append(contentsOf: escaped(value, prefix: "\\u", width: 4).unicodeScalars)
                } else {
                    out.append(contentsOf: escaped(value, prefix: "\\U", width: 8).unicodeScalars)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    /// CPython's `Py_UNICODE_ISPRINTABLE` for a non-ASCII scalar in the given Unicode version.
    static func isPrintable(_ scalar: Unicode.Scalar, unicode: UnicodeVersion) -> Bool {
        let properties = scalar.properties
        guard let age = properties.age, UnicodeVersion(major: age.major, minor: age.minor) <= unicode else { return false }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return false
        default:
            return true
        }
    }

    static func escaped(_ value: UInt32, prefix: String, width: Int) -> String {
        let hex = String(value, radix: 16)
        return prefix + String(repeating: "0", count: max(0, width - hex.count)) + hex
    }
}
