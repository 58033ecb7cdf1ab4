import NIOCore

/// A streamed answer's body from a ``MinerHTTP1Pool`` connection, read as it arrives: at most
/// ``MinerHTTP1BodyDemand/highWatermark`` parts wait for the reader before the connection stops
/// reading, so a slow caller (and the relay behind it) holds the miner back instead of the
/// node's memory growing.
typealias MinerHTTP1Body = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, MinerHTTP1BodyDemand
>

/// Tells a streaming connection when its reader wants more, or stopped reading.
struct MinerHTTP1BodyDemand: NIOAsyncSequenceProducerDelegate {
    static let lowWatermark = 2
    static let highWatermark = 16

    let connection: MinerHTTP1Connection
    /// The exchange whose body this is (the connection may serve others after it).
    let exchange: MinerHTTP1Exchange

    func produceMore() {
        let (connection, exchange) = (connection, exchange)
        connection.pool.onLoop { connection.resumeReading(for: exchange) }
    }

    func didTerminate() {
        let (connection, exchange) = (connection, exchange)
        connection.pool.onLoop { connection.readerStopped(for: exchange) }
    }
}
