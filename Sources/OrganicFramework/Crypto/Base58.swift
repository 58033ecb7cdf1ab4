/// Base58 with the Bitcoin alphabet (no 0, O, I, l), as SS58 uses.
///
/// Quadratic big-number conversion is fine here: inputs are short addresses.
enum Base58 {
    static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    /// Reverse lookup: ASCII → digit value, 0xff for characters outside the alphabet.
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 128)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix(while: { $0 == 0 }).count
        // Little-endian base-58 digits of the big-endian input number.
        var digits = [UInt8]()
        digits.reserveCapacity(bytes.count * 138 / 100 + 1)
        for byte in bytes[zeros...] {
            var carry = Int(byte)
            for j in 0..<digits.count {
                carry += Int(digits[j]) << 8
                digits[j] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.reserveCapacity(zeros + digits.count)
        for d in digits.reversed() { out.append(alphabet[Int(d)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [UInt8] {
        let chars = Array(text.utf8)
        let ones = chars.prefix(while: { $0 == alphabet[0] }).count
        // Little-endian base-256 bytes of the number.
        var bytes = [UInt8]()
        bytes.reserveCapacity(chars.count * 733 / 1000 + 1)
        for (offset, c) in chars.enumerated().dropFirst(ones) {
            guard c < 128, decodeTable[Int(c)] != 0xff else {
                throw CryptoError.badBase58("character outside the Bitcoin alphabet at offset \(offset)")
            }
            var carry = Int(decodeTable[Int(c)])
            for j in 0..<bytes.count {
                carry += Int(bytes[j]) * 58
                bytes[j] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xff))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: ones) + bytes.reversed()
    }
}
