import SilvasonicHardware
import Testing

@Suite("Sanitising what sysfs says")
struct SysfsTextTests {
    @Test("An identifier keeps [A-Za-z0-9._-] only, trimmed, at most 64 characters", arguments: [
        ("ABC034F\n", "ABC034F"),
        ("  FLOW-TEST-001  ", "FLOW-TEST-001"),
        ("x/../;rm -rf $HOME'\n", "x..rm-rfHOME"),
        ("'; DROP TABLE devices; --", "DROPTABLEdevices--"),
        ("line\nbreak", "linebreak"),
        ("ümlaut", "mlaut"),
    ])
    func identifier(raw: String, expected: String) {
        #expect(SysfsText.identifier(Array(raw.utf8)) == expected)
    }

    @Test("Empty, blank or wholly hostile values count as missing", arguments: ["", "   \n", "\t", "/;$'\"", "äöü"])
    func missing(raw: String) {
        #expect(SysfsText.identifier(Array(raw.utf8)) == nil)
    }

    @Test("Non-UTF-8 bytes never reach an identifier, and a huge value is cut")
    func bytes() {
        #expect(SysfsText.identifier([0xFF, 0x41, 0xC3, 0x28, 0x42]) == "A(B".filter { $0 != "(" })
        #expect(SysfsText.identifier([UInt8](repeating: 0x41, count: 100_000))?.count == 64)
    }

    @Test("USB ids are four hex digits, lowercased", arguments: [
        ("0869\n", "0869"), ("19F7", "19f7"), ("869", nil), ("08690", nil), ("zzzz", nil), ("", nil),
    ] as [(String, String?)])
    func usbID(raw: String, expected: String?) {
        #expect(SysfsText.usbID(Array(raw.utf8)) == expected)
    }

    @Test("Bus paths are digits, dashes and dots", arguments: [
        ("1-3.2", "1-3.2"), ("usb1", nil), ("1-3.2:1.0", nil), ("", nil), ("1/../2", nil),
    ] as [(String, String?)])
    func busPath(raw: String, expected: String?) {
        #expect(SysfsText.busPath(raw) == expected)
    }
}

@Suite("Display text")
struct DisplayTextTests {
    @Test("Never longer than the cap, even when folded spaces fall at the end (found by fuzzing)")
    func cap() {
        let words = String(repeating: "ab ", count: 200)
        #expect(SysfsText.displayText(Array(words.utf8))!.unicodeScalars.count <= SysfsText.maximumLength)
        let exact = String(repeating: "x", count: 127) + " y"
        #expect(SysfsText.displayText(Array(exact.utf8)) == String(repeating: "x", count: 127))
    }

    @Test("Control characters and runs of white space fold into single spaces")
    func folding() {
        #expect(SysfsText.displayText(Array("  a\t\tb\u{1b}c\n".utf8)) == "a b c")
        #expect(SysfsText.displayText(Array("\n\t ".utf8)) == nil)
    }
}
