import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 connection whose task runs on the connection's event loop.
///
/// Hummingbird reads requests and writes responses in one task per connection, on the cooperative
/// pool: each request then crosses from the loop to the pool and back twice. With this channel the
/// connection's task (and only it, with its child tasks) prefers the loop's executor, so a
/// request is read, handled, dispatched and written on one thread. Unlike a server-wide
/// preference, no other task can be continued on a loop by it. Handlers must not block: they
/// hold every connection of their loop while they run.
struct LoopBoundHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let channel: HTTP1Channel
    /// Answers requests that arrive whole without Hummingbird's per-request machinery (see
    /// ``WholeRequestHandler``); nil to leave every request to Hummingbird.
    let wholeRequests: WholeRequestHandler.Responder?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let wholeRequests = wholeRequests
        return self.channel.setup(channel: channel, logger: logger).flatMapThrowing { value in
            if let wholeRequests {
                // Last before Hummingbird's own handler: the connection's state handler still sees
                // every request and answer (idle timeout, graceful close).
                let pipeline = channel.pipeline.syncOperations
                let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
                try pipeline.addHandler(WholeRequestHandler(responder: wholeRequests), position: .after(state))
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor.of(value.channel.eventLoop)) {
            await channel.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with each connection's task on its event loop (see ``LoopBoundHTTP1Channel``), and
    /// requests that arrive whole answered from the pipeline when `wholeRequests` is set.
    static func loopBoundHTTP1(configuration: HTTP1Channel.Configuration, wholeRequests: WholeRequestHandler.Responder? = nil) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            LoopBoundHTTP1Channel(channel: HTTP1Channel(responder: responder, configuration: configuration), wholeRequests: wholeRequests)
        }
    }
}
