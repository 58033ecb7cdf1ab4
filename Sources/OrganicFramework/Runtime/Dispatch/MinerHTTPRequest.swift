import NIOHTTP1

/// A POST to a miner as every HTTP miner protocol builds it: where it goes, its headers
/// (besides `Host` and `Content-Length`, which the sender adds) and its body.
struct MinerHTTPRequest: Sendable {
    var address: MinerAddress
    var headers: HTTPHeaders
    var body: [UInt8]
}
