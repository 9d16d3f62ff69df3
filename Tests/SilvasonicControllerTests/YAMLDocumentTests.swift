import SilvasonicController
import SilvasonicIO
import Testing

@Suite("YAML read into JSON values, whatever the file holds")
struct YAMLDocumentTests {
    @Test("Scalars keep their YAML types; what JSON has no type for keeps its text")
    func scalars() throws {
        let document = try YAMLDocument.parse("""
            count: 3
            gain: 1.5
            on: true
            nothing: null
            name: "3"
            when: 2026-12-01
            nan: .nan
            list: [1, two]
            """)
        #expect(document == [
            "count": 3, "gain": 1.5, "on": true, "nothing": .null, "name": "3", "when": "2026-12-01", "nan": ".nan",
            "list": [1, "two"],
        ])
        #expect(try YAMLDocument.parse("") == .null)
    }

    @Test("A list or a mapping as a key is a failure naming its line, never a trap (found by ProfileFuzzer)")
    func complexKey() {
        let failure = #expect(throws: YAMLDocument.Failure.self) {
            try YAMLDocument.parse("slug: x\naudio:\n  sample_rate: 48000\n? [gain_db, 0.0]\n: 1\n")
        }
        #expect(failure?.description.contains("is not text") == true, "\(failure?.description ?? "")")
        #expect(failure?.description.contains("line") == true)
    }

    @Test("Integers as YAML 1.1 writes them; one too large for an Int is its text, never a trap (found by ProfileFuzzer)")
    func integers() throws {
        #expect(try YAMLDocument.parse("a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: 1:30\nf: -2:00\ng: 0b101") == [
            "a": 31, "b": 15, "c": 15, "d": 1000, "e": 90, "f": -120, "g": 5,
        ])
        #expect(try YAMLDocument.parse("# Ting\n222222222222222222:22") == "222222222222222222:22", "the input the fuzzer found")
        #expect(try YAMLDocument.parse("v: 222222222222222222:22") == ["v": "222222222222222222:22"])
        #expect(try YAMLDocument.parse("v: 99999999999999999999") == ["v": "99999999999999999999"])
    }

    @Test("Aliases that expand past the limit (billion laughs) are refused")
    func aliasBomb() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...6 { text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let failure = #expect(throws: YAMLDocument.Failure.self) { try YAMLDocument.parse(text) }
        #expect(failure?.description.contains("expands to more than") == true)
    }
}
