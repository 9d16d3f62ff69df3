import SilvasonicIO

/// A log line's or event's time, to the nanosecond, as Podman writes it (RFC 3339 with up to
/// nine fractional digits, trailing zeros trimmed, any offset). Compared as numbers, never as
/// text: `...:05.1Z` is later than `...:05.09Z`.
public struct LogTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64
    /// Nanoseconds within the second, `0..<1_000_000_000`.
    package var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// From nanoseconds since the epoch (an event's `timeNano`).
    public init(nanosecondsSinceEpoch value: Int64) {
        seconds = value >= 0 ? value / 1_000_000_000 : (value + 1) / 1_000_000_000 - 1
        nanoseconds = Int32(value - seconds * 1_000_000_000)
    }

    /// Parses `2026-11-21T20:04:33.123456789Z` or `...+01:00`.
    public init?(rfc3339 text: Substring) {
        var scanner = DigitScanner(text)
        guard let wallClock = scanner.dateTime(separators: "T"), let nanos = scanner.fractionNanoseconds() else { return nil }
        var offset = 0
        if !scanner.expect("Z") {
            let sign: Int
            if scanner.expect("+") { sign = 1 } else if scanner.expect("-") { sign = -1 } else { return nil }
            guard let hours = scanner.number(2), scanner.expect(":"), let minutes = scanner.number(2) else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.atEnd else { return nil }
        seconds = Int64(wallClock - offset)
        nanoseconds = Int32(nanos)
    }

    /// `2026-11-21T20:04:33.123456789Z`: what `since` accepts, to the nanosecond.
    package var rfc3339: String {
        let (days, secondOfDay) = CivilTime.floorDivide(Int(seconds), 86_400)
        return CivilTime.format(days: days, secondOfDay: secondOfDay, separator: "T")
            + ".\(CivilTime.padded(Int(nanoseconds), 9))Z"
    }

    public var description: String { rfc3339 }

    public static func < (lhs: LogTimestamp, rhs: LogTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }
}
