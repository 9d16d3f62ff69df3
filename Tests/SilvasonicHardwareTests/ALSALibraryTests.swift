import SilvasonicHardware
import Testing

@Suite("libasound is linked and callable")
struct ALSALibraryTests {
    @Test("The runtime library reports a dotted version")
    func version() {
        let parts = ALSALibrary.version.split(separator: ".")
        #expect(parts.count >= 2)
        #expect(parts.allSatisfy { Int($0) != nil })
    }

    @Test("Enumerating cards ends cleanly, with or without sound hardware")
    func cards() {
        let cards = ALSALibrary.cardIndices()
        #expect(cards == cards.sorted())
        #expect(cards.allSatisfy { $0 >= 0 })
    }
}
