import SilvasonicPodman

/// One fuzz input: any bytes as a `logs` response body, fed in chunks whose sizes the input's
/// first byte chooses. The decoder must not crash, and keep its promises: no line longer than
/// the cap (plus the repair of invalid UTF-8), no newline inside a line, and the same lines
/// whatever the chunking.
func fuzzLogFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    guard let first = bytes.first else { return 0 }
    let body = Array(bytes.dropFirst())
    let cap = 64
    func decode(chunk: Int) -> [LogLine] {
        var decoder = LogDecoder(maximumLineBytes: cap)
        var lines: [LogLine] = []
        var start = 0
        while start < body.count {
            let end = min(body.count, start + chunk)
            lines += decoder.feed(Array(body[start..<end]))
            start = end
        }
        return lines + decoder.finish()
    }
    let whole = decode(chunk: max(1, body.count))
    let pieces = decode(chunk: Int(first % 13) + 1)
    precondition(whole == pieces, "the lines depend on how the bytes were cut")
    for line in whole {
        // A cut line keeps at most `cap` bytes; repairing bad UTF-8 turns a byte into up to 3.
        precondition(line.text.utf8.count <= cap * 3, "line over the cap")
        precondition(!line.text.contains("\n"), "newline inside a line")
    }
    return 0
}
