/// One card line of `/proc/asound/cards`: ` 2 [UltraMic384K  ]: USB-Audio - UltraMic 384K`.
public struct AsoundCard: Sendable, Equatable {
    /// The card index (`hw:N`).
    public var index: Int
    /// ALSA's card id, the text in brackets (`UltraMic384K`), usable as `hw:CARD=<id>`.
    public var id: String
    /// The driver (`USB-Audio` for USB audio class devices).
    public var driver: String
    /// The card's name after ` - `.
    public var name: String

    /// Creates a card line; the parser makes these, fixtures write them.
    public init(index: Int, id: String, driver: String, name: String) {
        self.index = index
        self.id = id
        self.driver = driver
        self.name = name
    }
}

/// Parses `/proc/asound/cards`. Total: any input gives a (possibly empty) list, never a crash.
public enum AsoundCardsParser {
    /// The most card lines considered (ALSA itself allows 32 cards; this leaves room for fixtures).
    static let maximumCards = 1024

    /// Card lines, in file order. Indented continuation lines, garbage lines, duplicate indices
    /// and indices outside 0...9999 are skipped.
    public static func parse(_ bytes: some Collection<UInt8>) -> [AsoundCard] {
        var cards: [AsoundCard] = []
        var seen = Set<Int>()
        for line in bytes.prefix(1 << 20).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard cards.count < maximumCards, let card = parseLine(Array(line)), seen.insert(card.index).inserted else {
                continue
            }
            cards.append(card)
        }
        return cards
    }

    /// One line: optional spaces, the index, spaces, `[id]`, `:`, driver, ` - `, name.
    static func parseLine(_ line: [UInt8]) -> AsoundCard? {
        var position = 0
        while position < line.count, line[position] == UInt8(ascii: " ") { position += 1 }
        // Continuation lines are indented further than any index line (the index is right-aligned in 2 columns).
        guard position <= 3 else { return nil }
        let digitsStart = position
        while position < line.count, (0x30...0x39).contains(line[position]) { position += 1 }
        guard position > digitsStart, position - digitsStart <= 4,
              let index = Int(String(decoding: line[digitsStart..<position], as: UTF8.self)) else { return nil }
        while position < line.count, line[position] == UInt8(ascii: " ") { position += 1 }
        guard position < line.count, line[position] == UInt8(ascii: "["),
              let close = line[position...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
        let id = SysfsText.identifier(line[(position + 1)..<close])
        position = close + 1
        guard position < line.count, line[position] == UInt8(ascii: ":") else { return nil }
        let rest = Array(line[(position + 1)...])
        let separator = Array(" - ".utf8)
        let split = rest.firstRange(of: separator)
        let driverBytes = split.map { rest[..<$0.lowerBound] } ?? rest[...]
        let nameBytes = split.map { rest[$0.upperBound...] } ?? []
        guard let driver = SysfsText.displayText(driverBytes), let id else { return nil }
        return AsoundCard(index: index, id: id, driver: driver, name: SysfsText.displayText(nameBytes) ?? "")
    }
}
