package import Hummingbird
import NIOCore

extension Response {
    /// 200 with an already-encoded JSON body (used where the bytes are built, or streamed,
    /// by the route rather than encoded by the router).
    package static func json(_ body: ResponseBody, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: body)
    }

    /// 200 with the JSON `bytes`.
    package static func json(bytes: some Sequence<UInt8>) -> Response {
        json(ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
