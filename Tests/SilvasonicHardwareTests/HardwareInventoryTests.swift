import SilvasonicHardware
import Testing

@Suite("From scans to changes")
struct HardwareInventoryTests {
    func device(_ card: Int, serial: String) -> AudioDevice {
        AudioDevice(cardIndex: card, cardID: "c\(card)", name: "Mic", vendorID: "0869", productID: "0389",
                    serial: serial, busPath: "1-\(card)")
    }

    @Test("Appeared, changed and gone are reported once each")
    func changes() {
        var inventory = HardwareInventory()
        let a = device(1, serial: "A")
        let b = device(2, serial: "B")
        #expect(inventory.apply(ScanResult(devices: [a, b], problems: [])).changes == [.appeared(a), .appeared(b)])
        #expect(inventory.apply(ScanResult(devices: [a, b], problems: [])).changes.isEmpty)
        var moved = b
        moved.cardIndex = 3
        #expect(inventory.apply(ScanResult(devices: [a, moved], problems: [])).changes == [.changed(moved)])
        #expect(inventory.apply(ScanResult(devices: [moved], problems: [])).changes == [.gone(stableID: a.stableID)])
    }

    @Test("Two cards with one id: the first is kept, the second reported")
    func duplicateIDs() {
        var inventory = HardwareInventory()
        let first = device(1, serial: "SAME")
        var second = device(2, serial: "SAME")
        second.busPath = "1-9"
        let result = inventory.apply(ScanResult(devices: [first, second], problems: []))
        #expect(result.changes == [.appeared(first)])
        #expect(result.problems.map(\.cardIndex) == [2])
    }
}
