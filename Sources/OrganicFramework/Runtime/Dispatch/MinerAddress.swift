/// Where a request to a miner goes: a miner's URL plus the endpoint's path, parsed once.
///
/// Only what a miner's address can sensibly be: `http` or `https`, a host name or an IP address
/// (IPv6 in brackets), an optional port, then the request target. Anything else (user info,
/// spaces or control characters in the target) is refused rather than guessed at, so what the
/// node signs is exactly what it sends.
struct MinerAddress: Sendable, Equatable {
    enum Scheme: Sendable, Equatable {
        case http
        case https
    }

    var scheme: Scheme
    /// The host to connect to, without the brackets of an IPv6 address.
    var host: String
    var port: Int
    /// The path and query as the miner receives them, percent-encoded as given ("/" when empty).
    var target: String
    /// The `Host` header's value.
    var authority: String

    /// Parses `url`, or nil when it is not an address a request can go to.
    init?(_ url: String) {
        let bytes = Array(url.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
              bytes.count >= colon + 3, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/") else { return nil }
        switch String(decoding: bytes[..<colon], as: UTF8.self).lowercased() {
        case "http": scheme = .http
        case "https": scheme = .https
        default: return nil
        }
        let authorityStart = colon + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.count
        let authorityBytes = bytes[authorityStart..<authorityEnd]
        guard !authorityBytes.isEmpty, !authorityBytes.contains(UInt8(ascii: "@")) else { return nil }

        // Host, then an optional port after the last colon outside brackets.
        var hostBytes = authorityBytes[...]
        var portBytes: ArraySlice<UInt8>?
        if authorityBytes.first == UInt8(ascii: "[") {
            guard let close = authorityBytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostBytes = authorityBytes[(authorityBytes.startIndex + 1)..<close]
            let rest = authorityBytes[(close + 1)...]
            if !rest.isEmpty {
                guard rest.first == UInt8(ascii: ":") else { return nil }
                portBytes = rest.dropFirst()
            }
            guard !hostBytes.isEmpty, hostBytes.allSatisfy({ Self.isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else { return nil }
        } else {
            if let portColon = authorityBytes.lastIndex(of: UInt8(ascii: ":")) {
                hostBytes = authorityBytes[..<portColon]
                portBytes = authorityBytes[(portColon + 1)...]
            }
            guard !hostBytes.isEmpty, hostBytes.allSatisfy(Self.isHostByte) else { return nil }
        }
        if let portBytes {
            guard !portBytes.isEmpty, portBytes.count <= 5, portBytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let value = Int(String(decoding: portBytes, as: UTF8.self)), (1...65_535).contains(value) else { return nil }
            port = value
        } else {
            port = scheme == .http ? 80 : 443
        }
        host = String(decoding: hostBytes, as: UTF8.self)
        authority = String(decoding: authorityBytes, as: UTF8.self)

        // The target runs to the fragment, which is never sent.
        let targetEnd = bytes[authorityEnd...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let targetBytes = bytes[authorityEnd..<targetEnd]
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        if targetBytes.isEmpty {
            target = "/"
        } else if targetBytes.first == UInt8(ascii: "?") {
            target = "/" + String(decoding: targetBytes, as: UTF8.self)
        } else {
            target = String(decoding: targetBytes, as: UTF8.self)
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    /// Letters, digits and the unreserved marks a host name or IPv4 address is made of.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }
}
