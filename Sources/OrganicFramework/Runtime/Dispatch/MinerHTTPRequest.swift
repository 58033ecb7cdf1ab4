import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A POST to a miner as every HTTP miner protocol builds it: where it goes, its headers
/// (besides `Host` and `Content-Length`, which the sender adds) and its body.
struct MinerHTTPRequest: Sendable {
    var address: MinerAddress
    var headers: HTTPHeaders
    var body: [UInt8]
}

extension MinerHTTPRequest {
    /// A JSON `body` for `address`, with the headers every protocol sends (a protocol adds its own after).
    init(jsonBody body: [UInt8], to address: MinerAddress, accept: String, userAgent: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: accept)
        headers.add(name: "User-Agent", value: userAgent)
        self.init(address: address, headers: headers, body: body)
    }
}

extension MinerHTTPRequest {
    /// The same request for AsyncHTTPClient (`https` miners).
    var asyncHTTPClientRequest: HTTPClientRequest {
        var sent = HTTPClientRequest(url: "\(address.scheme == .http ? "http" : "https")://\(address.authority)\(address.target)")
        sent.method = .POST
        sent.headers = headers
        sent.body = .bytes(ByteBuffer(bytes: body))
        return sent
    }
}
