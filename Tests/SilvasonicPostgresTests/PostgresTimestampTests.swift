import Foundation
import SilvasonicPostgres
import Testing

@Suite("timestamptz text, read and written without a calendar")
struct PostgresTimestampTests {
    @Test("The server's ISO text decodes to the right instant, with and without offsets and fractions",
          arguments: [
              ("2026-11-21 19:32:02.123456+00", 1_795_289_522.123456),
              ("2026-11-21 19:32:02+00", 1_795_289_522),
              ("2026-11-21 21:02:02+01:30", 1_795_289_522),
              ("1969-12-31 23:59:59.5+00", -0.5),
              ("2000-02-29 00:00:00-05", 951_800_400),
          ])
    func decodes(text: String, seconds: Double) throws {
        let date = try Date(postgresText: text)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test("Text that is no timestamp is refused", arguments: ["", "2026-13-01 00:00:00+00", "yesterday", "2026-11-21 19:32:02+0x"])
    func refuses(text: String) {
        #expect(throws: PostgresDecodingFailure.self) { try Date(postgresText: text) }
    }
}
