import Foundation
import OrganicTestKit
@testable import OrganicFramework

/// `$ORGANIC_PYTHON_SDK10` (the `.venv-sdk10` with bittensor 10.5.0 that scripts/test.sh creates)
/// and the fixture scripts that drive it.
enum SDK10Python {
    static func executable(_ variable: String) -> String? {
        ProcessInfo.processInfo.environment[variable].flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
    }

    static let python = executable("ORGANIC_PYTHON_SDK10")
    /// Any CPython, for checks that need only the standard library.
    static let anyPython = python ?? executable("ORGANIC_PYTHON")

    static let skipMessage = "ORGANIC_PYTHON_SDK10 is not set: scripts/test.sh creates .venv-sdk10 with bittensor 10.5.0 from scripts/python-test-requirements-sdk10.txt"
    static let importMessage = "bittensor 10.x does not import in $ORGANIC_PYTHON_SDK10; reinstall scripts/python-test-requirements-sdk10.txt"

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)").path
    }

    static let sdkScript = fixture("axon_synapse_sdk.py")
    static let serverScript = fixture("axon_sdk10_server.py")
    static let dendriteScript = fixture("axon_sdk10_dendrite.py")

    /// A fresh sr25519 mini-secret seed.
    static func randomSeed() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }

    /// bittensor imports and is a 10.x (the last generation with Axon, Dendrite and Synapse).
    static func hasSDK10() async -> Bool {
        guard let python else { return false }
        let check = "import bittensor, sys; sys.exit(0 if bittensor.__version__.startswith('10.') and hasattr(bittensor, 'Axon') else 1)"
        return (try? await ChildProcess.run(python, ["-c", check]))?.status == 0
    }
}

/// Random JSON documents for the codec's property tests, with the text full of what breaks
/// naive escaping: quotes, backslashes, controls, and characters of every general category
/// (including ones assigned only in recent Unicode versions).
enum RandomJSON {
    /// Ranges of scalars to draw from (no surrogates: they are not scalars).
    static let pools: [ClosedRange<UInt32>] = [
        0x20...0x7E, 0x20...0x7E, 0x20...0x7E,
        0x00...0x1F, 0x7F...0xFF,
        0x300...0x3FF,  // combining marks, Greek (with unassigned holes)
        0x2000...0x206F,  // spaces, format characters, line/paragraph separators
        0x3000...0x303F, 0x4E00...0x4E7F, 0xAC00...0xAC7F,
        0xE000...0xE01F, 0xFFF0...0xFFFF,  // private use, specials, noncharacters
        0x1F300...0x1F64F, 0x1F6D0...0x1F6FF, 0x1FA70...0x1FAFF,  // emoji, some from Unicode 13-16
        0xE0000...0xE007F, 0xF0000...0xF0010, 0x2FFF0...0x3000F, 0x31340...0x3135F,
    ]
    static let specials: [Character] = ["'", "\"", "\\", "\n", "\t", "\r", " ", "\u{0}"]

    static func string(_ random: inout OrganicRandom, maxLength: Int = 12) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &random) {
            if Int.random(in: 0..<4, using: &random) == 0 {
                scalars.append(contentsOf: String(specials.randomElement(using: &random)!).unicodeScalars)
            } else {
                let pool = pools.randomElement(using: &random)!
                if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &random)) { scalars.append(scalar) }
            }
        }
        return String(scalars)
    }

    static func float(_ random: inout OrganicRandom) -> Double {
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            // Any finite double, by bit pattern.
            while true {
                let value = Double(bitPattern: random.next())
                if value.isFinite { return value }
            }
        case 1: return Double(Int.random(in: -1000...1000, using: &random)) / [1, 10, 100, 1000][Int.random(in: 0..<4, using: &random)]
        case 2: return pow(10, Double(Int.random(in: -20...20, using: &random))) * [1, -1, 1.5, 9.99][Int.random(in: 0..<4, using: &random)]
        case 3: return [0.0, -0.0, 1e16, 1e15, 9999999999999998, 0.0001, 0.00001, .leastNonzeroMagnitude, .greatestFiniteMagnitude][Int.random(in: 0..<9, using: &random)]
        default: return Double.random(in: -1e6...1e6, using: &random)
        }
    }

    static func int(_ random: inout OrganicRandom) -> String {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: String(Int.random(in: -10...10, using: &random))
        case 1: String(Int64.random(in: .min ... .max, using: &random))
        case 2: (Bool.random(using: &random) ? "-" : "") + "1" + String((0..<Int.random(in: 19...40, using: &random)).map { _ in "0123456789".randomElement(using: &random)! })
        default: String(Int.random(in: -(1 << 53)...(1 << 53), using: &random))
        }
    }

    static func value(_ random: inout OrganicRandom, depth: Int) -> SynapseJSON {
        let leafOnly = depth >= 3
        switch Int.random(in: 0..<(leafOnly ? 6 : 8), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int(int(&random))
        case 3: return .float(float(&random))
        case 4, 5: return .string(string(&random))
        case 6: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(&random, depth: depth + 1) })
        default:
            var object = SynapseJSON.Object()
            for _ in 0..<Int.random(in: 0...4, using: &random) { object[string(&random, maxLength: 6)] = value(&random, depth: depth + 1) }
            return .object(object)
        }
    }

    /// The value as JSON text spelled the many ways Python reads: random spacing, `\u` escapes
    /// (surrogate pairs for astral characters), exponents and trailing zeros.
    static func text(_ value: SynapseJSON, _ random: inout OrganicRandom) -> String {
        var out = ""
        write(value, &random, to: &out)
        return out
    }

    static func space(_ random: inout OrganicRandom) -> String {
        [" ", "", "", "\n  ", "\t"][Int.random(in: 0..<5, using: &random)]
    }

    static func write(_ value: SynapseJSON, _ random: inout OrganicRandom, to out: inout String) {
        switch value {
        case .float(let number) where number.isFinite && Int.random(in: 0..<3, using: &random) == 0:
            // Another spelling of the same double: scientific, with an explicit exponent sign.
            let repr = PythonStr.floatRepr(number)
            out += repr.contains("e") ? repr.replacingOccurrences(of: "e", with: "E") : repr + "e0"
        case .string(let string): out += quoted(string, &random)
        case .array(let items):
            out += "[" + space(&random)
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," + space(&random) }
                write(item, &random, to: &out)
            }
            out += space(&random) + "]"
        case .object(let object):
            out += "{" + space(&random)
            for (i, entry) in object.entries.enumerated() {
                if i > 0 { out += "," + space(&random) }
                out += quoted(entry.key, &random) + space(&random) + ":" + space(&random)
                write(entry.value, &random, to: &out)
            }
            out += space(&random) + "}"
        default: out += value.jsonText
        }
    }

    static func quoted(_ string: String, _ random: inout OrganicRandom) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            let escape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\" || Int.random(in: 0..<4, using: &random) == 0
            if !escape {
                out.unicodeScalars.append(scalar)
            } else if scalar == "\"" || scalar == "\\" {
                out += "\\" + String(scalar)
            } else {
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16, uppercase: Bool.random(using: &random))
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
        }
        return out + "\""
    }
}
