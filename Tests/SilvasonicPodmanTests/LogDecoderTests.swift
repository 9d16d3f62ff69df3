import SilvasonicPodman
import Testing

@Suite("Log frames and lines, decoded from bytes as they come")
struct LogDecoderTests {
    private func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let length = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + payload
    }

    @Test("Multiplexed frames split at any byte still give the same lines")
    func framesAcrossChunks() {
        let bytes = frame(1, "2026-11-21T20:08:21Z a\n") + frame(2, "2026-11-21T20:08:21.5+01:00 b\n") + frame(1, "c\n")
        for split in 0...bytes.count {
            var decoder = LogDecoder()
            let lines = decoder.feed(Array(bytes[..<split])) + decoder.feed(Array(bytes[split...])) + decoder.finish()
            #expect(lines.map(\.text) == ["a", "b", "c"], "split at \(split)")
            #expect(lines.map(\.stream) == [.stdout, .stderr, .stdout])
            #expect(lines.map(\.timestamp) == [
                LogTimestamp(seconds: 1_795_291_701, nanoseconds: 0),
                LogTimestamp(seconds: 1_795_291_701 - 3600, nanoseconds: 500_000_000),
                nil,
            ])
        }
    }

    @Test("A line split over frames is joined; a final line without newline comes with finish()")
    func partialLines() {
        var decoder = LogDecoder()
        #expect(decoder.feed(frame(1, "hal")).isEmpty)
        #expect(decoder.feed(frame(1, "f\nrest")).map(\.text) == ["half"])
        #expect(decoder.finish().map(\.text) == ["rest"])
    }

    @Test("A raw (TTY) stream is read as plain stdout lines")
    func rawStream() {
        var decoder = LogDecoder()
        #expect(decoder.feed(Array("x\r\ny\n".utf8)).map(\.text) == ["x", "y"])
    }

    @Test("An overlong line is cut at the cap and marked; the following line is whole")
    func cap() {
        var decoder = LogDecoder(maximumLineBytes: 10)
        let lines = decoder.feed(frame(1, String(repeating: "x", count: 10_000) + "\nok\n"))
        #expect(lines.map(\.text) == [String(repeating: "x", count: 10), "ok"])
        #expect(lines.map(\.truncated) == [true, false])
    }

    @Test("Invalid UTF-8 is repaired, never a crash")
    func invalidUTF8() {
        var decoder = LogDecoder()
        let lines = decoder.feed([1, 0, 0, 0, 0, 0, 0, 4, 0xff, 0xfe, 0x41, 10])
        #expect(lines.map(\.text) == ["\u{FFFD}\u{FFFD}A"])
    }
}

@Suite("RFC 3339 timestamps to the nanosecond")
struct LogTimestampTests {
    @Test("Parsing and printing agree, and comparison is numeric, not textual")
    func roundTrip() throws {
        let early = try #require(LogTimestamp(rfc3339: "2026-11-21T20:04:05.09Z"))
        let late = try #require(LogTimestamp(rfc3339: "2026-11-21T20:04:05.1Z"))
        #expect(early < late)
        #expect(late.rfc3339 == "2026-11-21T20:04:05.100000000Z")
        #expect(LogTimestamp(rfc3339: Substring(late.rfc3339)) == late)
        #expect(LogTimestamp(nanosecondsSinceEpoch: 1_795_291_701_186_582_027)
            == LogTimestamp(seconds: 1_795_291_701, nanoseconds: 186_582_027))
    }

    @Test("Garbage is refused", arguments: ["", "2026-11-21", "2026-11-21T20:04:05", "2026-11-21T20:04:05.Z", "x026-11-21T20:04:05Z"])
    func garbage(text: String) {
        #expect(LogTimestamp(rfc3339: Substring(text)) == nil)
    }
}
