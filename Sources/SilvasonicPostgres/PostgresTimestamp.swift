import Foundation

/// `timestamptz` in PostgreSQL's ISO text format, both ways, without a calendar object.
///
/// Connections set `DateStyle=ISO` and `TimeZone=UTC`, so the server writes
/// `2026-11-21 19:32:02.123456+00`; offsets such as `+05:30` are read too.
enum PostgresTimestamp {
    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+|-HH[:MM[:SS]]]`.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              expect(32) || expect(84), let hour = number(2), expect(58), let minute = number(2), expect(58),
              let second = number(2) else { return nil }
        var fraction = 0.0
        if expect(46) {
            var scale = 0.1
            while index < bytes.count, (48...57).contains(bytes[index]) {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count {
            let sign: Int
            if expect(43) { sign = 1 } else if expect(45) { sign = -1 } else if expect(90) { sign = 0 } else { return nil }
            if sign != 0 {
                guard let hours = number(2) else { return nil }
                var minutes = 0, seconds = 0
                if expect(58) { guard let value = number(2) else { return nil }; minutes = value }
                if expect(58) { guard let value = number(2) else { return nil }; seconds = value }
                offset = sign * (hours * 3600 + minutes * 60 + seconds)
            }
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second < 61 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Formats as `YYYY-MM-DD HH:MM:SS.ffffff+00`, the text libpq sends for a `timestamptz` parameter.
    static func format(_ date: Date) -> String {
        let microseconds = Int((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let (daysSinceEpoch, microsecondOfDay) = floorDivide(microseconds, 86_400_000_000)
        let (year, month, day) = civilFromDays(daysSinceEpoch)
        let secondOfDay = microsecondOfDay / 1_000_000
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(microsecondOfDay % 1_000_000, 6))+00"
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> (Int, Int) {
        let quotient = value >= 0 ? value / divisor : -((-value - 1) / divisor) - 1
        return (quotient, value - quotient * divisor)
    }

    /// Howard Hinnant's days-from-civil: days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
