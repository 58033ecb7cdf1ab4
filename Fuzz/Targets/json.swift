// libFuzzer target: the strict JSON parser and the tape decoder that read every caller's body,
// and a type's own reader (JSONReadable), which must agree with Decodable on every input.
// Built by scripts/fuzz.sh with the sources it lists; never part of the package build.

/// A request shape with the kinds of fields endpoints decode.
struct FuzzRequest: Decodable {
    var input: [String]?
    var dimensions: Int?
    var temperature: Double?
    var stream: Bool?
    var messages: [[String: String]]?
    var extra: [String: Int64]?
    var nested: [FuzzRequest]?
}

/// Every reader call, on a recursive shape; synthesized Decodable reads the same optional members.
struct FuzzReadable: Decodable, Equatable, JSONReadable {
    var name: String?
    var count: Int?
    var ratio: Double?
    var flag: Bool?
    var raw: [UInt8]?
    var items: [FuzzReadable]?

    init(json: JSONReader) throws {
        try json.members { member, value in
            switch member {
            case "name": name = try value.optional { try $0.string() }
            case "count": count = try value.optional { try $0.int() }
            case "ratio": ratio = try value.optional { try $0.double() }
            case "flag": flag = try value.optional { try $0.bool() }
            case "raw": raw = try value.optional { try $0.bytes() }
            case "items": items = try value.optional { try $0.array { try FuzzReadable(json: $0) } }
            default: break
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let tape = try? JSONTape.parse(bytes) else { return 0 }
    _ = try? TapeJSONDecoder().decode(FuzzRequest.self, from: bytes, tape: tape)
    _ = try? TapeJSONDecoder().decode([String: Double].self, from: bytes, tape: tape)
    let own = try? TypedJSONDecoder<FuzzReadable>().decode(bytes, tape: tape)
    let codable = try? TapeJSONDecoder().decode(FuzzReadable.self, from: bytes, tape: tape)
    // A disagreement is a finding: the node reads a JSONReadable type one way, plugins' tests the other.
    if own != codable { fatalError("JSONReadable and Decodable disagree on \(String(decoding: bytes, as: UTF8.self))") }
    return 0
}
