package import Hummingbird
package import Foundation
package import NIOCore

/// The request context of the node's HTTP servers.
///
/// Responses are JSON with unescaped slashes (paths read as paths) and ISO-8601 dates. Request
/// bodies are collected by each route with its own limit, so the context's default upload
/// limit is not the one that applies to endpoints.
package struct OrganicRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The client connection, to find its ``DisconnectSignal`` in ``ClientConnections``.
    let connection: ObjectIdentifier
    /// The connection's event loop, so that streamed bodies can pace their writes (``WritePacer``).
    package let eventLoop: any EventLoop

    package init(source: Source) {
        coreContext = .init(source: source)
        connection = ObjectIdentifier(source.channel)
        eventLoop = source.channel.eventLoop
    }

    package var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
