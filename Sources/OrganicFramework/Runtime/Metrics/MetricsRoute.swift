import Hummingbird
import NIOCore

/// `GET /metrics` on the admin listener: the Prometheus text exposition format (0.0.4). Behind
/// the admin token when one is configured (Prometheus sends it with `authorization:` in its
/// scrape config); open on a loopback-only admin listener without one, like the reports.
enum MetricsRoute {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func register(on router: Router<OrganicRequestContext>, metrics: NodeMetrics, subnets: [AdminAPI.Subnet], adminToken: AdminToken) {
        router.group("/metrics").add(middleware: AdminTokenMiddleware(token: adminToken, unconfigured: .allow)).get { _, _ in
            let bytes = await metrics.exposition(subnets: subnets)
            var headers = HTTPFields()
            headers[.contentType] = contentType
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
