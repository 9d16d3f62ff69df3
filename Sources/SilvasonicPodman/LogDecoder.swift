/// One line of a container's log.
public struct LogLine: Sendable, Hashable {
    /// Which output the line came from.
    public enum Stream: Sendable, Hashable {
        case stdout, stderr
    }

    public var stream: Stream
    /// The line without its timestamp and newline; invalid UTF-8 repaired.
    public var text: String
    /// When the engine logged it; `nil` if the line carried no timestamp.
    package var timestamp: LogTimestamp?
    /// The line was longer than the cap and was cut there; the rest was skipped.
    package var truncated: Bool
    /// Lines dropped just before this one because the consumer fell behind the buffer.
    package var droppedBefore: Int

    public init(stream: Stream, text: String, timestamp: LogTimestamp? = nil, truncated: Bool = false,
                droppedBefore: Int = 0) {
        self.stream = stream
        self.text = text
        self.timestamp = timestamp
        self.truncated = truncated
        self.droppedBefore = droppedBefore
    }
}

/// Turns the bytes of a `logs` response into lines: a pure value, fed chunk by chunk.
///
/// Without a TTY, libpod multiplexes the output in frames with an 8-byte header (stream type
/// 1 or 2, three zero bytes, a big-endian length). Frames and lines need not align with the
/// chunks the socket delivers, so both are reassembled here. A line longer than
/// `maximumLineBytes` is cut and the rest up to its newline skipped, so a runaway container
/// cannot grow the buffer without bound. With `timestamps=true` each line starts with its
/// RFC 3339 time and a space, which is parsed off.
public struct LogDecoder: Sendable {
    public let maximumLineBytes: Int
    private var pending: [UInt8] = []
    private var stdoutLine = PartialLine()
    private var stderrLine = PartialLine()
    private var multiplexed: Bool?

    private struct PartialLine: Sendable {
        var bytes: [UInt8] = []
        var skippingRest = false
        var truncated = false
    }

    public init(maximumLineBytes: Int = 16_384) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Adds a chunk and returns the lines it completed.
    public mutating func feed(_ chunk: [UInt8]) -> [LogLine] {
        var lines: [LogLine] = []
        pending += chunk
        if multiplexed == nil, let first = pending.first {
            // A raw (TTY) stream starts with text; a multiplexed one with 0, 1 or 2.
            multiplexed = first <= 2
        }
        guard multiplexed == true else {
            append(pending, to: .stdout, into: &lines)
            pending.removeAll(keepingCapacity: true)
            return lines
        }
        var offset = 0
        while pending.count - offset >= 8 {
            let length = pending[(offset + 4)..<(offset + 8)].reduce(0) { $0 << 8 | Int($1) }
            guard pending.count - offset - 8 >= length else { break }
            let stream: LogLine.Stream = pending[offset] == 2 ? .stderr : .stdout
            append(pending[(offset + 8)..<(offset + 8 + length)], to: stream, into: &lines)
            offset += 8 + length
        }
        pending.removeFirst(offset)
        return lines
    }

    /// The lines still incomplete when the stream ended, each as a line of its own.
    public mutating func finish() -> [LogLine] {
        var lines: [LogLine] = []
        for stream in [LogLine.Stream.stdout, .stderr] {
            let partial = stream == .stdout ? stdoutLine : stderrLine
            if !partial.bytes.isEmpty { lines.append(line(partial.bytes, stream, truncated: partial.truncated)) }
        }
        stdoutLine = PartialLine()
        stderrLine = PartialLine()
        return lines
    }

    private mutating func append(_ payload: some Collection<UInt8>, to stream: LogLine.Stream, into lines: inout [LogLine]) {
        var partial = stream == .stdout ? stdoutLine : stderrLine
        for byte in payload {
            if byte == 10 {
                lines.append(line(partial.bytes, stream, truncated: partial.truncated))
                partial = PartialLine()
            } else if !partial.skippingRest {
                // Room for the timestamp prefix, which is cut off before the cap applies.
                if partial.bytes.count < maximumLineBytes + Self.timestampRoom {
                    partial.bytes.append(byte)
                } else {
                    partial.skippingRest = true
                    partial.truncated = true
                }
            }
        }
        if stream == .stdout { stdoutLine = partial } else { stderrLine = partial }
    }

    /// The longest timestamp prefix: `2026-11-21T20:04:33.123456789+01:00 `.
    private static let timestampRoom = 36

    private func line(_ bytes: [UInt8], _ stream: LogLine.Stream, truncated: Bool) -> LogLine {
        var body = bytes[...]
        var timestamp: LogTimestamp?
        if let space = body.prefix(Self.timestampRoom).firstIndex(of: 32),
           let parsed = LogTimestamp(rfc3339: Substring(decoding: body[..<space], as: UTF8.self)) {
            timestamp = parsed
            body = body[(space + 1)...]
        }
        var cut = truncated
        if body.count > maximumLineBytes {
            body = body.prefix(maximumLineBytes)
            cut = true
        }
        var text = String(decoding: body, as: UTF8.self)
        if text.last == "\r" { text.removeLast() }
        return LogLine(stream: stream, text: text, timestamp: timestamp, truncated: cut)
    }
}
