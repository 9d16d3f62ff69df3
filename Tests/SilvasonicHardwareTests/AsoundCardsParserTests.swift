import SilvasonicHardware
import Testing

@Suite("/proc/asound/cards parsing")
struct AsoundCardsParserTests {
    @Test("Card lines are read; continuation lines are skipped")
    func realFile() {
        let text = """
             0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0
                                  vc4-hdmi-0
             2 [UltraMic384K   ]: USB-Audio - UltraMic 384K
                                  Dodotronic UltraMic 384K at usb-xhci-hcd.0-1.2, high speed

            """
        #expect(AsoundCardsParser.parse(Array(text.utf8)) == [
            AsoundCard(index: 0, id: "vc4hdmi0", driver: "vc4-hdmi", name: "vc4-hdmi-0"),
            AsoundCard(index: 2, id: "UltraMic384K", driver: "USB-Audio", name: "UltraMic 384K"),
        ])
    }

    @Test("Garbage, truncated and duplicate lines are skipped; the rest is kept", arguments: [
        "garbage\n 1 [ok ]: USB-Audio - Mic\n",
        " 1 [ok ]: USB-Audio - Mic\n 1 [dup ]: USB-Audio - Other\n",
        "[no index]: USB-Audio - x\n 1 [ok ]: USB-Audio - Mic\n 99999 [big ]: USB-Audio - x\n",
        " 7 [unterminated: USB-Audio\n 1 [ok ]: USB-Audio - Mic\n -3 [neg ]: USB-Audio - x",
        "\u{0}\u{1}\u{2} 5\n 1 [ok ]: USB-Audio - Mic\n 2 []: USB-Audio - empty id\n",
    ])
    func garbage(text: String) {
        #expect(AsoundCardsParser.parse(Array(text.utf8)) == [AsoundCard(index: 1, id: "ok", driver: "USB-Audio", name: "Mic")])
    }

    @Test("Hostile names are made printable; hostile ids lose their unsafe characters")
    func hostile() {
        let line = Array(" 3 [a/b;c$d ]: USB-Audio - Mic\u{7}\t\u{1b}[31mRed".utf8) + [0xFF, 0xFE]
        let cards = AsoundCardsParser.parse(line)
        #expect(cards.first?.id == "abcd")
        #expect(cards.first?.name == "Mic [31mRed\u{FFFD}\u{FFFD}")
    }

    @Test("Empty input and a huge input of one repeated line end cleanly")
    func sizes() {
        #expect(AsoundCardsParser.parse([UInt8]()).isEmpty)
        let huge = [UInt8](repeating: UInt8(ascii: "x"), count: 2_000_000)
        #expect(AsoundCardsParser.parse(huge).isEmpty)
    }
}
