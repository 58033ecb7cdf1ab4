import NIOCore
import PropertyBased
import Testing
@testable import OrganicFramework

@Suite("Server-Sent Events: parser and writer")
struct ServerSentEventTests {
    // MARK: Helpers

    /// Everything a parser run produces, for comparing runs.
    struct Run: Equatable {
        var events: [ServerSentEvent] = []
        var error: ServerSentEventError?
        var ending: ServerSentEventParser.Ending?
        var lastEventID: String?
        var reconnectionTime: Int?
    }

    /// Feeds `chunks` in order, alternating the three ways of passing bytes (contiguous slice,
    /// ByteBuffer, and a collection without contiguous storage), then finishes.
    static func run(_ chunks: [ArraySlice<UInt8>], limit: Int = 1 << 20) -> Run {
        var parser = ServerSentEventParser(maximumEventSize: limit)
        var run = Run()
        do throws(ServerSentEventError) {
            for (index, chunk) in chunks.enumerated() {
                switch index % 3 {
                case 0: try parser.feed(chunk, into: &run.events)
                case 1: try parser.feed(ByteBuffer(bytes: chunk), into: &run.events)
                default: try parser.feed(chunk.lazy.map { $0 }, into: &run.events)
                }
            }
        } catch {
            run.error = error
            return run
        }
        run.lastEventID = parser.lastEventID
        run.reconnectionTime = parser.reconnectionTime
        run.ending = parser.finish()
        return run
    }

    static func run(_ bytes: [UInt8], cuts: [Int] = [], limit: Int = 1 << 20) -> Run {
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        for cut in cuts.sorted() where cut >= start {
            chunks.append(bytes[start..<cut])
            start = cut
        }
        chunks.append(bytes[start...])
        return run(chunks, limit: limit)
    }

    static func run(_ text: String, limit: Int = 1 << 20) -> Run { run(Array(text.utf8), limit: limit) }

    static func texts(_ run: Run) -> [String] { run.events.map(\.text) }

    // MARK: WHATWG examples and rules

    @Test func multiLineDataIsJoinedWithLineFeeds() {
        let run = Self.run("data: This is the first message.\n\ndata: This is the second message, it\ndata: has two lines.\n\ndata: This is the third message.\n\n")
        #expect(Self.texts(run) == ["This is the first message.", "This is the second message, it\nhas two lines.", "This is the third message."])
        #expect(run.ending == .complete)
    }

    @Test func eventTypes() {
        let run = Self.run("event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent:\ndata: 113411\n\n")
        #expect(run.events.map(\.event) == ["add", "remove", nil])
        #expect(Self.texts(run) == ["73857293", "2153", "113411"])
    }

    @Test func commentsIdsAndTheSpaceAfterTheColon() {
        let run = Self.run(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n")
        #expect(Self.texts(run) == ["first event", "second event"])
        #expect(run.events.map(\.id) == ["1", ""])
        #expect(run.lastEventID == nil)  // the bare `id` reset it
        // The third event has no blank line after it: discarded, and the stream counts as cut off.
        #expect(run.ending == .truncated)
        #expect(Self.texts(Self.run("data:  third event\n\n")) == [" third event"])
    }

    @Test func fieldsWithoutColonHaveEmptyValues() {
        let run = Self.run("data\n\ndata\ndata\n\ndata:")
        #expect(Self.texts(run) == ["", "\n"])
        #expect(run.ending == .truncated)
    }

    @Test func dataWithAndWithoutSpaceAreTheSame() {
        #expect(Self.texts(Self.run("data:test\n\ndata: test\n\n")) == ["test", "test"])
    }

    @Test func everyLineEndingIsAccepted() {
        let lines = ["event: e", "data: a", "data:", "data: b", "", ": note", "data: c", ""]
        let expected = Self.run(lines.joined(separator: "\n") + "\n")
        #expect(Self.texts(expected) == ["a\n\nb", "c"])
        for separator in ["\r", "\r\n"] {
            #expect(Self.run(lines.joined(separator: separator) + separator) == expected)
        }
        // Mixed, and LF CR is two line ends (a blank line), unlike CR LF.
        #expect(Self.texts(Self.run("data: a\r\ndata: b\rdata: c\n\r")) == ["a\nb\nc"])
    }

    @Test func carriageReturnAndLineFeedSplitAcrossChunksAreOneLineEnd() {
        let stream = Array("data: a\r\ndata: b\r\n\r\n".utf8)
        let whole = Self.run(stream)
        #expect(Self.texts(whole) == ["a\nb"])
        #expect(Self.run(stream, cuts: [8]) == whole)  // "data: a\r" | "\ndata: b..."
        #expect(Self.run(stream, cuts: Array(1..<stream.count)) == whole)
        // A CR at the end of one chunk followed by an empty chunk still pairs with the next LF.
        #expect(Self.run(stream, cuts: [8, 8, 8]) == whole)
    }

    @Test func leadingByteOrderMarkIsSkippedOnce() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let stream = bom + Array("data: x\n\n".utf8)
        #expect(Self.texts(Self.run(stream)) == ["x"])
        #expect(Self.texts(Self.run(stream, cuts: [1, 2, 3])) == ["x"])
        // A second mark is part of the field name, so the line is an unknown field.
        #expect(Self.run(bom + stream).events.isEmpty)
        // A mark anywhere else is data.
        #expect(Self.run("data: \u{FEFF}x\n\n").events.first?.data == bom + [UInt8(ascii: "x")])
        // Only a prefix of a mark: ordinary bytes of the first line, not skipped.
        let almost: [UInt8] = [0xEF, 0xBB] + Array("data: x\n\ndata: y\n\n".utf8)
        #expect(Self.texts(Self.run(almost)) == ["y"])
        #expect(Self.texts(Self.run(almost, cuts: [1, 2])) == ["y"])
        #expect(Self.run([0xEF, 0xBB]).ending == .truncated)
        #expect(Self.run([0xEF, 0xBB, 0xBF]).ending == .complete)
    }

    @Test func blocksWithoutDataAreNotDispatched() {
        let run = Self.run("event: ping\n\nid: 7\nretry: 250\n\n: only a comment\n\ndata: x\n\n")
        #expect(run.events == [ServerSentEvent(data: "x")])  // no event type or id leaks into it
        #expect(run.lastEventID == "7")
        #expect(run.reconnectionTime == 250)
    }

    @Test func idsWithNullAreIgnored() {
        let run = Self.run("id: 1\n\nid: a\u{0}b\ndata: x\n\n")
        #expect(run.events.map(\.id) == [nil])
        #expect(run.lastEventID == "1")
    }

    @Test func retryMustBeDigits() {
        let run = Self.run("retry: 1500\ndata: a\n\nretry: 15s\ndata: b\n\nretry:\ndata: c\n\nretry: 99999999999999999999999\ndata: d\n\n")
        #expect(run.events.map(\.retry) == [1500, nil, nil, nil])
        #expect(run.reconnectionTime == 1500)
    }

    @Test func unknownFieldsAreIgnored() {
        let run = Self.run("data : nope\nDATA: nope\nfoo: bar\ndata: yes\n\n")
        #expect(Self.texts(run) == ["yes"])
    }

    @Test func openAIStyleStream() {
        let run = Self.run("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n")
        #expect(Self.texts(run) == ["{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}", "[DONE]"])
        #expect(run.ending == .complete)
    }

    @Test func endOfInputMidEventIsReported() {
        #expect(Self.run("data: x\n").ending == .truncated)
        #expect(Self.run("data: x\n").events.isEmpty)
        #expect(Self.run("data: x").ending == .truncated)
        #expect(Self.run("event: a\n").ending == .truncated)
        #expect(Self.run(": partial comment").ending == .truncated)
        #expect(Self.run("data: x\n\n: keep-alive\n").ending == .complete)
        #expect(Self.run("data: x\r\r").ending == .complete)
        #expect(Self.run("").ending == .complete)
    }

    @Test func finishResetsForANewStream() throws {
        var parser = ServerSentEventParser(maximumEventSize: 64)
        _ = try parser.feed(Array("id: 3\ndata: x".utf8))
        #expect(parser.hasPendingEvent)
        #expect(parser.finish() == .truncated)
        #expect(!parser.hasPendingEvent)
        #expect(parser.lastEventID == nil)
        #expect(try parser.feed(Array("\u{FEFF}\n\ndata: y\n\n".utf8)) == [ServerSentEvent(data: "y")])
    }

    @Test func invalidUTF8IsKeptAsBytesAndDecodedLossily() {
        let stream: [UInt8] = Array("event: a".utf8) + [0xFF] + Array("\ndata: ".utf8) + [0xE2, 0x82, 0x41, 0xC0] + Array("\n\n".utf8)
        let event = Self.run(stream).events.first
        #expect(event?.data == [0xE2, 0x82, 0x41, 0xC0])
        #expect(event?.text == "\u{FFFD}A\u{FFFD}")
        #expect(event?.event == "a\u{FFFD}")
    }

    @Test func byteBufferInput() throws {
        var parser = ServerSentEventParser(maximumEventSize: 64)
        var buffer = ByteBuffer(string: "xxdata: a\n\n")
        buffer.moveReaderIndex(forwardBy: 2)  // only the readable bytes count
        #expect(try parser.feed(buffer) == [ServerSentEvent(data: "a")])
    }

    // MARK: Size limit

    @Test func lineAtTheLimitPassesOneByteMoreThrows() {
        #expect(Self.texts(Self.run("data: 0123456789\n\n", limit: 16)) == ["0123456789"])
        #expect(Self.run("data: 01234567890\n\n", limit: 16).error == .eventTooLarge(limit: 16))
        #expect(Self.run(": a comment of more than sixteen bytes\n", limit: 16).error == .eventTooLarge(limit: 16))
    }

    @Test func accumulatedDataCountsTowardsTheLimit() {
        // 3 bytes of data, then 3 + 13 = 16, then 11 + 12 = 23.
        let run = Self.run("data: abc\ndata: abcdefg\ndata: abcdef\n\n", limit: 16)
        #expect(run.error == .eventTooLarge(limit: 16))
        // The limit is per event: many events of 15 bytes are fine.
        let many = String(repeating: "data: 012345678\n\n", count: 50)
        #expect(Self.run(many, limit: 15).events.count == 50)
    }

    @Test func unterminatedLineThrowsAsSoonAsItPassesTheLimit() throws {
        var parser = ServerSentEventParser(maximumEventSize: 100)
        for _ in 0..<100 { _ = try parser.feed([UInt8(ascii: "x")]) }
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 100)) { try parser.feed([UInt8(ascii: "x")]) }
    }

    @Test func eventsBeforeTheOversizedLineAreDeliveredAndTheErrorSticks() {
        var parser = ServerSentEventParser(maximumEventSize: 16)
        var events: [ServerSentEvent] = []
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 16)) {
            try parser.feed(Array("data: ok\n\ndata: far too long for this\n\n".utf8), into: &events)
        }
        #expect(events == [ServerSentEvent(data: "ok")])
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 16)) { try parser.feed(Array("data: ok\n\n".utf8)) }
        #expect(parser.finish() == .truncated)
    }

    // MARK: Writer

    @Test func writerSplitsDataIntoLines() {
        let bytes = ServerSentEventWriter.encode(ServerSentEvent(event: "delta", data: "a\nb\r\n\rc", id: "7", retry: 300))
        #expect(String(decoding: bytes, as: UTF8.self) == "event: delta\nid: 7\nretry: 300\ndata: a\ndata: b\ndata:\ndata: c\n\n")
        #expect(String(decoding: ServerSentEventWriter.encode(ServerSentEvent(data: "")), as: UTF8.self) == "data:\n\n")
        #expect(String(decoding: ServerSentEventWriter.encode(ServerSentEvent(data: " x", id: "")), as: UTF8.self) == "id:\ndata:  x\n\n")
    }

    @Test func writerCannotBeMadeToInjectFieldsOrEvents() {
        let hostile = ServerSentEvent(event: "a\r\nevent: b", data: "x\n\ndata: y\nevent: z\r\n\r\n", id: "1\nid: 2\u{0}", retry: -1)
        let run = Self.run(ServerSentEventWriter.encode(hostile))
        #expect(run.events == [ServerSentEvent(event: "aevent: b", data: "x\n\ndata: y\nevent: z\n\n", id: "1id: 2")])
    }

    @Test func commentsAndKeepAlive() {
        #expect(String(decoding: ServerSentEventWriter.keepAlive, as: UTF8.self) == ": keep-alive\n\n")
        #expect(ServerSentEventWriter.comment("keep-alive") == ServerSentEventWriter.keepAlive)
        #expect(String(decoding: ServerSentEventWriter.comment("a\nb\r\n"), as: UTF8.self) == ": a\n: b\n:\n\n")
        let run = Self.run(ServerSentEventWriter.comment("x\ndata: y") + ServerSentEventWriter.keepAlive)
        #expect(run.events.isEmpty)
        #expect(run.ending == .complete)
    }

    @Test func byteBufferAndArrayEncodingsAgree() {
        let event = ServerSentEvent(event: "e", data: "é\n🎉", id: "i", retry: 5)
        var buffer = ByteBuffer(string: "prefix")
        ServerSentEventWriter.encode(event, into: &buffer)
        #expect(Array(buffer.readableBytesView) == Array("prefix".utf8) + ServerSentEventWriter.encode(event))
    }

    // MARK: Properties

    static func characters(_ pool: [Character]) -> Generator<Character, Shrink.Integer<Int>> {
        Gen.int(in: 0...(pool.count - 1)).map { pool[$0] }
    }

    /// Random events, including line ends (CRLF is one Character here), NUL, a byte order mark,
    /// colons and spaces in every field, and negative retries.
    static let events = zip(
        characters(Array("ab é🎉: \n\r\r\n\u{0}")).string(of: 0...8).optional,
        characters(Array("ab é🎉:{}\" \n\r\r\n\u{0}\u{FEFF}")).string(of: 0...40),
        characters(Array("1a é: \n\r\u{0}")).string(of: 0...6).optional,
        Gen.int(in: -3...1_000_000).optional
    ).map { ServerSentEvent(event: $0.0, data: $0.1, id: $0.2, retry: $0.3) }.array(of: 0...6)

    static func removing(_ bytes: [UInt8], _ forbidden: Set<UInt8>) -> [UInt8] { bytes.filter { !forbidden.contains($0) } }

    /// What a parser must see for an event the writer was given: CR and CRLF arrive as LF, and
    /// the writer's sanitising of event types, ids and retries.
    static func expectedAfterRoundTrip(_ event: ServerSentEvent) -> ServerSentEvent {
        var data: [UInt8] = []
        var index = 0
        while index < event.data.count {
            let byte = event.data[index]
            if byte == UInt8(ascii: "\r") {
                data.append(UInt8(ascii: "\n"))
                if index + 1 < event.data.count, event.data[index + 1] == UInt8(ascii: "\n") { index += 1 }
            } else {
                data.append(byte)
            }
            index += 1
        }
        let type = event.event.map { removing(Array($0.utf8), [0x0A, 0x0D]) }
        let id = event.id.map { removing(Array($0.utf8), [0x0A, 0x0D, 0x00]) }
        return ServerSentEvent(
            event: type.flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) },
            data: data,
            id: id.map { String(decoding: $0, as: UTF8.self) },
            retry: event.retry.flatMap { $0 >= 0 ? $0 : nil })
    }

    @Test func writerToParserRoundTrip() async {
        await propertyCheck(count: 300, input: Self.events, Gen.int(in: 0...10_000).array(of: 0...6)) { events, cuts in
            var stream: [UInt8] = []
            for event in events { stream += ServerSentEventWriter.encode(event) }
            let run = Self.run(stream, cuts: cuts.map { $0 % (stream.count + 1) })
            #expect(run.events == events.map(Self.expectedAfterRoundTrip))
            #expect(run.ending == .complete)
        }
    }

    /// Pieces that make interesting streams when concatenated at random.
    static let pieces: [[UInt8]] = [
        "data", "data:", "data: ", "event: ", "id: ", "id", "retry: ", "retry:", ":", " ", "12", "x", "é", "🎉",
        "\u{0}", "\r", "\n", "\r\n", "\n\n", "\r\r", "\u{FEFF}", "[DONE]", "{\"a\":1}",
    ].map { Array($0.utf8) } + [[0xFF], [0xE2, 0x82], [0xEF, 0xBB]]

    static let streams = zip(Gen.bool, Gen.int(in: 0...(pieces.count - 1)).array(of: 0...80)).map { bom, picks -> [UInt8] in
        (bom ? [0xEF, 0xBB, 0xBF] : []) + picks.flatMap { ServerSentEventTests.pieces[$0] }
    }

    @Test func chunkBoundariesDoNotChangeTheResult() async {
        await propertyCheck(count: 300, input: Self.streams, Gen.int(in: 0...10_000).array(of: 0...12), Gen.int(in: 0...3)) { stream, cuts, limitChoice in
            let limit = [6, 12, 40, 1 << 20][limitChoice]
            let whole = Self.run(stream, limit: limit)
            #expect(Self.run(stream, cuts: cuts.map { $0 % (stream.count + 1) }, limit: limit) == whole)
            #expect(Self.run(stream, cuts: Array(0...stream.count), limit: limit) == whole)
        }
    }

    @Test func agreesWithAReferenceInterpreter() async {
        await propertyCheck(count: 300, input: Self.streams) { stream in
            let run = Self.run(stream)
            let reference = ReferenceInterpreter(stream)
            #expect(run.events.map { [$0.event, $0.text, $0.id, $0.retry.map { String($0) }] } == reference.events)
            #expect(run.ending == (reference.truncated ? .truncated : .complete))
        }
    }

    /// A slow, literal transcription of the WHATWG steps over decoded text (decode the whole
    /// stream, then split lines), written independently of the parser's byte-level approach.
    struct ReferenceInterpreter {
        var events: [[String?]] = []
        var truncated = false

        init(_ bytes: [UInt8]) {
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
            let scalars = Array(String(decoding: body, as: UTF8.self).unicodeScalars)
            var lines: [[Unicode.Scalar]] = []
            var current: [Unicode.Scalar] = []
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "\r" || scalar == "\n" {
                    lines.append(current)
                    current = []
                    if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                } else {
                    current.append(scalar)
                }
                index += 1
            }
            var data: [Unicode.Scalar] = []
            var type: String?
            var id: String?
            var retry: String?
            var fields = false
            func text(_ scalars: some Sequence<Unicode.Scalar>) -> String {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars)
                return String(view)
            }
            for line in lines {
                if line.isEmpty {
                    if !data.isEmpty {
                        data.removeLast()
                        events.append([type, text(data), id, retry])
                    }
                    data = []
                    type = nil
                    id = nil
                    retry = nil
                    fields = false
                    continue
                }
                if line[0] == ":" { continue }
                fields = true
                let colon = line.firstIndex(of: ":")
                let name = text(line[..<(colon ?? line.count)])
                var value = colon.map { Array(line[($0 + 1)...]) } ?? []
                if value.first == " " { value.removeFirst() }
                switch name {
                case "data": data += value + ["\n"]
                case "event": type = value.isEmpty ? nil : text(value)
                case "id" where !value.contains("\u{0}"): id = text(value)
                case "retry" where !value.isEmpty && value.allSatisfy({ ("0"..."9").contains($0) }):
                    if let milliseconds = Int(text(value)) { retry = String(milliseconds) }
                default: break
                }
            }
            truncated = !current.isEmpty || fields
        }
    }
}
