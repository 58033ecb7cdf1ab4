// libFuzzer target: the strict JSON parser and the tape decoder that read every caller's body.
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

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let tape = try? JSONTape.parse(bytes) else { return 0 }
    _ = try? TapeJSONDecoder().decode(FuzzRequest.self, from: bytes, tape: tape)
    _ = try? TapeJSONDecoder().decode([String: Double].self, from: bytes, tape: tape)
    return 0
}
