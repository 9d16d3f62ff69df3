import Foundation
import SilvasonicIO

/// `timestamptz` in PostgreSQL's ISO text format, both ways, without a calendar object.
///
/// Connections set `DateStyle=ISO` and `TimeZone=UTC`, so the server writes
/// `2026-11-21 19:32:02.123456+00`; offsets such as `+05:30` are read too.
enum PostgresTimestamp {
    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+|-HH[:MM[:SS]]]`.
    static func parse(_ text: String) -> Date? {
        var scanner = DigitScanner(text)
        guard let wallClock = scanner.dateTime(separators: " T"), let nanos = scanner.fractionNanoseconds() else { return nil }
        var offset = 0
        if !scanner.atEnd, !scanner.expect("Z") {
            let sign: Int
            if scanner.expect("+") { sign = 1 } else if scanner.expect("-") { sign = -1 } else { return nil }
            guard let hours = scanner.number(2) else { return nil }
            var minutes = 0, seconds = 0
            if scanner.expect(":") { guard let value = scanner.number(2) else { return nil }; minutes = value }
            if scanner.expect(":") { guard let value = scanner.number(2) else { return nil }; seconds = value }
            offset = sign * (hours * 3600 + minutes * 60 + seconds)
        }
        guard scanner.atEnd else { return nil }
        return Date(timeIntervalSince1970: Double(wallClock - offset) + Double(nanos) / 1e9)
    }

    /// Formats as `YYYY-MM-DD HH:MM:SS.ffffff+00`, the text libpq sends for a `timestamptz` parameter.
    static func format(_ date: Date) -> String {
        let microseconds = Int((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let (days, microsecondOfDay) = CivilTime.floorDivide(microseconds, 86_400_000_000)
        return CivilTime.format(days: days, secondOfDay: microsecondOfDay / 1_000_000, separator: " ")
            + ".\(CivilTime.padded(microsecondOfDay % 1_000_000, 6))+00"
    }
}
