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

    func renamed(_ device: AudioDevice, _ id: String) -> AudioDevice {
        var copy = device
        copy.stableID = id
        return copy
    }

    @Test("Two microphones with one USB serial both stay: the lower bus path keeps the id, the other gets its port added")
    func duplicateIDs() {
        var inventory = HardwareInventory()
        let first = device(1, serial: "SAME")
        var second = device(2, serial: "SAME")
        second.busPath = "1-9"
        let result = inventory.apply(ScanResult(devices: [second, first], problems: []))
        #expect(result.changes == [.appeared(first), .appeared(renamed(second, "0869-0389-SAME-port1-9"))])
        #expect(result.problems.map(\.cardIndex) == [2])
        #expect(result.problems.first?.reason.contains("told apart by its port as 0869-0389-SAME-port1-9") == true)
        // Replugged (a new card index), each keeps its id.
        var back = second
        back.cardIndex = 7
        #expect(inventory.apply(ScanResult(devices: [first], problems: [])).changes == [.gone(stableID: "0869-0389-SAME-port1-9")])
        #expect(inventory.apply(ScanResult(devices: [first, back], problems: [])).changes
            == [.appeared(renamed(back, "0869-0389-SAME-port1-9"))])
    }

    @Test("The one that holds the id keeps it: the previous scan's, else the stored bus path's, however the ports sort")
    func knownKeepsItsID() {
        let known = device(2, serial: "SAME")          // bus 1-2, known
        let newcomer = device(1, serial: "SAME")       // bus 1-1, sorts first
        var running = HardwareInventory()
        _ = running.apply(ScanResult(devices: [known], problems: []))
        #expect(running.apply(ScanResult(devices: [known, newcomer], problems: [])).changes
            == [.appeared(renamed(newcomer, "0869-0389-SAME-port1-1"))])
        // After a controller restart, the stored bus path decides.
        var restarted = HardwareInventory(knownBusPaths: ["0869-0389-SAME": "1-2"])
        let changes = restarted.apply(ScanResult(devices: [newcomer, known], problems: [])).changes
        #expect(changes == [.appeared(renamed(newcomer, "0869-0389-SAME-port1-1")), .appeared(known)])
    }
}
