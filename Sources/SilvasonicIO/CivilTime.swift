/// Dates of the proleptic Gregorian calendar as day numbers, and the digit scanning of
/// timestamp text: what PostgreSQL's and Podman's timestamp parsers share, without Foundation's
/// calendars (Howard Hinnant's `days_from_civil` and `civil_from_days`).
package enum CivilTime {
    /// Days since 1970-01-01 of `year-month-day`.
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        return era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
    }

    /// The `(year, month, day)` of a day number.
    package static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfYear - (153 * mp + 2) / 5 + 1)
    }

    /// `(quotient, remainder)` rounding towards minus infinity, for times before 1970.
    package static func floorDivide(_ value: Int, _ divisor: Int) -> (Int, Int) {
        let quotient = value >= 0 ? value / divisor : -((-value - 1) / divisor) - 1
        return (quotient, value - quotient * divisor)
    }

    /// `value` with leading zeros to `width` digits.
    package static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `YYYY-MM-DD?HH:MM:SS` with the given separator between date and time.
    package static func format(days: Int, secondOfDay: Int, separator: String) -> String {
        let (year, month, day) = date(days: days)
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))\(separator)"
            + "\(padded(secondOfDay / 3600, 2)):\(padded(secondOfDay / 60 % 60, 2)):\(padded(secondOfDay % 60, 2))"
    }
}

/// Reads the fixed-width parts of a timestamp from its bytes, left to right.
package struct DigitScanner {
    private let bytes: [UInt8]
    /// The position of the next byte.
    public private(set) var index = 0

    public init(_ text: some StringProtocol) {
        bytes = Array(text.utf8)
    }

    /// Whether every byte was read.
    package var atEnd: Bool { index == bytes.count }

    /// The next `digits` decimal digits as a number, or `nil` (and nothing consumed).
    public mutating func number(_ digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        index += digits
        return value
    }

    /// Consumes `character` if it comes next.
    package mutating func expect(_ character: Character) -> Bool {
        guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    /// `YYYY-MM-DD`, the date-time separator (one of `separators`), `HH:MM:SS`: seconds since
    /// the epoch of that wall-clock time, before any offset.
    package mutating func dateTime(separators: String) -> Int? {
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              separators.contains(where: { expect($0) }), let hour = number(2), expect(":"),
              let minute = number(2), expect(":"), let second = number(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return CivilTime.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// A fraction after `.`: its value in nanoseconds and whether one was there; `nil` for a
    /// `.` without digits.
    package mutating func fractionNanoseconds() -> Int? {
        guard expect(".") else { return 0 }
        var nanos = 0
        var digits = 0
        while index < bytes.count, (48...57).contains(bytes[index]) {
            if digits < 9 { nanos = nanos * 10 + Int(bytes[index] - 48); digits += 1 }
            index += 1
        }
        guard digits > 0 else { return nil }
        for _ in digits..<9 { nanos *= 10 }
        return nanos
    }
}
