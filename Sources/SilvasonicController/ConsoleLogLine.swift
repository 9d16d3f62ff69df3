/// A log line that is not JSON but says its level in a form an operator knows: structlog's
/// console renderer (`2026-12-01T10:00:00Z [warning  ] segment late   key=value`, with or
/// without its colour codes; Silvasonic's recorder prints these) or a `LEVEL:` prefix (Python's
/// logging default, `WARNING:root:disk almost full`). A pure parser: anything else is `nil`,
/// and the line stays `raw`.
struct ConsoleLogLine: Equatable {
    /// The level, lower case (`debug`, `info`, `warning`, `error`, `critical`, ...).
    var level: String
    /// The rest of the line: the event and its key=value pairs, colour codes removed.
    var message: String
    /// The line's own timestamp, as it wrote it; `nil` when it has none.
    var timestamp: String?

    private static let levels: Set<String> = ["debug", "info", "notice", "warning", "warn", "error", "critical", "exception", "fatal"]

    /// Parses `text`; `nil` when it is in neither form.
    static func parse(_ text: String) -> ConsoleLogLine? {
        let plain = stripANSI(text)
        return structlog(plain) ?? prefixed(plain)
    }

    /// `[TIMESTAMP ][level   ] rest`.
    private static func structlog(_ line: String) -> ConsoleLogLine? {
        var rest = Substring(line)
        var timestamp: String?
        if let first = rest.split(separator: " ", maxSplits: 1).first, looksLikeTimestamp(first) {
            timestamp = String(first)
            rest = rest.dropFirst(first.count).drop { $0 == " " }
        }
        guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
        let level = rest[rest.index(after: rest.startIndex)..<close].trimmingSpaces.lowercased()
        guard levels.contains(level) else { return nil }
        let message = rest[rest.index(after: close)...].trimmingSpaces
        return ConsoleLogLine(level: level, message: String(message), timestamp: timestamp)
    }

    /// `LEVEL:rest`, the level in capitals.
    private static func prefixed(_ line: String) -> ConsoleLogLine? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let word = line[..<colon]
        guard !word.isEmpty, word.allSatisfy({ $0.isUppercase }), levels.contains(word.lowercased()) else { return nil }
        return ConsoleLogLine(level: word.lowercased(), message: String(line[line.index(after: colon)...].trimmingSpaces),
                              timestamp: nil)
    }

    /// `2026-12-01T10:00:00Z`, `2026-12-01T10:00:00.123456+00:00` and the like: a date, a `T`
    /// and a time.
    private static func looksLikeTimestamp(_ token: Substring) -> Bool {
        let characters = Array(token.utf8)
        guard characters.count >= 19, characters[4] == UInt8(ascii: "-"), characters[7] == UInt8(ascii: "-"),
              characters[10] == UInt8(ascii: "T"), characters[13] == UInt8(ascii: ":") else { return false }
        return characters[0..<4].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// The line without ANSI escape sequences (`ESC [ ... letter`).
    static func stripANSI(_ text: String) -> String {
        guard text.unicodeScalars.contains("\u{1B}") else { return text }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\u{1B}" else { out.append(scalar); continue }
            guard let next = scalars.next(), next == "[" else { continue }
            // Parameters and intermediates up to the final byte, 0x40 to 0x7E.
            while let code = scalars.next(), !(0x40...0x7E).contains(code.value) {}
        }
        return String(out)
    }
}

private extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
