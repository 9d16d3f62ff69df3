import SilvasonicHardware

/// One fuzz input: any bytes as `/proc/asound/cards`. The parser must not crash, and
/// what it returns must keep its promises: safe ids, unique indices, printable names.
func fuzzCards(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let cards = AsoundCardsParser.parse(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    var indices = Set<Int>()
    for card in cards {
        precondition(indices.insert(card.index).inserted, "duplicate index")
        precondition((0...9999).contains(card.index), "index out of range")
        precondition(!card.id.isEmpty && card.id.utf8.count <= 64, "bad id length")
        precondition(card.id.utf8.allSatisfy(isIdentifierByte), "unsafe id")
        precondition(card.name.unicodeScalars.count <= SysfsText.maximumLength, "name too long")
        precondition(!card.name.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control char")
        let device = AudioDevice(cardIndex: card.index, cardID: card.id, name: card.name, vendorID: nil,
                                 productID: nil, serial: nil, busPath: nil)
        precondition(device.stableID.utf8.allSatisfy(isIdentifierByte), "unsafe stable id")
    }
    return 0
}

func isIdentifierByte(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
}
