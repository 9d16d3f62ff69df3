import HardwareFixtures
import SilvasonicHardware
import Testing

@Suite("Scanning a fixture tree")
struct DeviceScannerTests {
    let ultramic = AsoundCard(index: 2, id: "UltraMic384K", driver: "USB-Audio", name: "UltraMic 384K")

    func scan(_ fixture: HardwareFixture) -> ScanResult {
        DeviceScanner(roots: fixture.roots).scan()
    }

    @Test("A USB card with a serial: the contract's first test vector")
    func withSerial() throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([ultramic])
        try fixture.addUSBCard(index: 2, busPath: "1-3.2", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                               serial: Array("ABC034F".utf8))
        let result = scan(fixture)
        #expect(result.problems.isEmpty)
        let device = try #require(result.devices.first)
        #expect(device.stableID == "0869-0389-ABC034F")
        #expect(device.alsaDevice == "hw:2,0")
        #expect(device.alsaStableDevice == "hw:CARD=UltraMic384K,DEV=0")
        #expect(device.name == "UltraMic 384K")
        #expect(device.busPath == "1-3.2")
        #expect(device.serial == "ABC034F")
    }

    @Test("Without a serial the id is bound to the port: the contract's second vector")
    func withoutSerial() throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([AsoundCard(index: 1, id: "Device", driver: "USB-Audio", name: "USB Audio Device")])
        try fixture.addUSBCard(index: 1, busPath: "1-3.2", vendorID: Array("0d8c".utf8), productID: Array("0014".utf8),
                               serial: nil)
        #expect(scan(fixture).devices.map(\.stableID) == ["0d8c-0014-port1-3.2"])
    }

    @Test("A blank serial counts as none")
    func blankSerial() throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([ultramic])
        try fixture.addUSBCard(index: 2, busPath: "3-6", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                               serial: Array("   ".utf8))
        #expect(scan(fixture).devices.map(\.stableID) == ["0869-0389-port3-6"])
    }

    @Test("The walk passes the interface level and also works without one", arguments: [true, false])
    func interfaceLevel(present: Bool) throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([ultramic])
        try fixture.addUSBCard(index: 2, busPath: "1-4", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                               serial: Array("S1".utf8), interfaceLevel: present)
        #expect(scan(fixture).devices.map(\.stableID) == ["0869-0389-S1"])
    }

    @Test("Built-in cards and other drivers are not USB microphones")
    func builtIn() throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([AsoundCard(index: 0, id: "vc4hdmi0", driver: "vc4-hdmi", name: "vc4-hdmi-0"), ultramic])
        try fixture.addBuiltInCard(index: 0)
        try fixture.addUSBCard(index: 2, busPath: "1-3.2", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                               serial: Array("X".utf8))
        #expect(scan(fixture).devices.map(\.cardIndex) == [2])
    }

    @Test("A USB-Audio card with no USB device above it gets the alsa-card id and a reported problem")
    func noUSBParent() throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([ultramic])
        try fixture.addBuiltInCard(index: 2)
        let result = scan(fixture)
        #expect(result.devices.map(\.stableID) == ["alsa-card2"])
        #expect(result.problems.map(\.cardIndex) == [2])
    }

    @Test("Missing id files leave the ids out; the port id needs both")
    func missingFiles() throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([ultramic])
        try fixture.addUSBCard(index: 2, busPath: "1-2", vendorID: nil, productID: Array("0389".utf8), serial: Array("Z".utf8))
        let device = try #require(scan(fixture).devices.first)
        #expect(device.vendorID == nil)
        #expect(device.stableID == "alsa-card2")
    }

    @Test("Broken, looping and escaping links are problems, not crashes", arguments: [
        "../../devices/nowhere/card2",
        "card2",
        "../../../../../../../../etc",
        "/../../../etc/passwd",
    ])
    func badLinks(target: String) throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([ultramic])
        try fixture.rawLink("sys/class/sound/card2", to: target)
        let result = scan(fixture)
        #expect(result.devices.map(\.stableID) == ["alsa-card2"])
        #expect(result.problems.count == 1)
    }

    @Test("A card index that does not exist in sysfs is a problem for that card only")
    func missingInSysfs() throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile([ultramic, AsoundCard(index: 5, id: "Ghost", driver: "USB-Audio", name: "Ghost")])
        try fixture.addUSBCard(index: 2, busPath: "1-3.2", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                               serial: Array("A".utf8))
        let result = scan(fixture)
        #expect(result.devices.map(\.stableID) == ["0869-0389-A", "alsa-card5"])
        #expect(result.problems.map(\.cardIndex) == [5])
    }

    @Test("Hostile serials become safe ids for container names, labels and Redis keys")
    func hostileSerials() throws {
        let fixture = try HardwareFixture()
        let serials: [[UInt8]] = [
            Array("a/b\nc;d$(reboot)'x\"".utf8),
            [0xFF, 0xFE, 0x41, 0x00, 0x42],
            [UInt8](repeating: UInt8(ascii: "Q"), count: 10_000),
        ]
        var cards: [AsoundCard] = []
        for (offset, serial) in serials.enumerated() {
            cards.append(AsoundCard(index: offset, id: "c\(offset)", driver: "USB-Audio", name: "n"))
            try fixture.addUSBCard(index: offset, busPath: "1-\(offset + 1)", vendorID: Array("1234".utf8),
                                   productID: Array("abcd".utf8), serial: serial)
        }
        try fixture.writeCardsFile(cards)
        let ids = scan(fixture).devices.map(\.stableID)
        #expect(ids[0] == "1234-abcd-abcdrebootx")
        #expect(ids[1] == "1234-abcd-AB")
        #expect(ids[2].count == 10 + 64)
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        #expect(ids.allSatisfy { $0.allSatisfy(safe.contains) })
    }

    @Test("No cards file (no ALSA, or no sound hardware) is an empty scan")
    func noCardsFile() {
        let result = DeviceScanner(roots: HardwareRoots(procfs: "/nonexistent", sysfs: "/nonexistent")).scan()
        #expect(result == ScanResult(devices: [], problems: []))
    }

    @Test("Roots come from the environment, trailing slashes dropped")
    func rootsFromEnvironment() {
        let roots = HardwareRoots(environment: ["SILVASONIC_PROCFS_ROOT": "/tmp/p/", "SILVASONIC_SYSFS_ROOT": "/tmp/s"])
        #expect(roots == HardwareRoots(procfs: "/tmp/p", sysfs: "/tmp/s"))
        #expect(!roots.isLive)
        #expect(HardwareRoots(environment: [:]).isLive)
    }
}

@Suite("The scan command's output")
struct ScanReportTests {
    let result = ScanResult(
        devices: [AudioDevice(cardIndex: 2, cardID: "UltraMic384K", name: "UltraMic 384K", vendorID: "0869",
                              productID: "0389", serial: "ABC034F", busPath: "1-3.2")],
        problems: [ScanProblem(cardIndex: 5, reason: "no USB device above the card in sysfs")])

    @Test("The table has one aligned row per device and a warning per problem")
    func table() {
        #expect(ScanReport.table(result) == """
            ID                 CARD  NAME           VID:PID    SERIAL   BUS    ALSA
            0869-0389-ABC034F  2     UltraMic 384K  0869:0389  ABC034F  1-3.2  hw:2,0 (hw:CARD=UltraMic384K,DEV=0)
            warning: card 5: no USB device above the card in sysfs

            """)
        #expect(ScanReport.table(ScanResult(devices: [], problems: [])) == "No USB audio devices found.\n")
    }

    @Test("The JSON names every field")
    func json() throws {
        let text = try ScanReport.json(result)
        #expect(text.contains("\"id\" : \"0869-0389-ABC034F\""))
        #expect(text.contains("\"alsaStableDevice\" : \"hw:CARD=UltraMic384K,DEV=0\""))
        #expect(text.contains("\"reason\" : \"no USB device above the card in sysfs\""))
    }
}

@Suite("The scan interval setting")
struct ScanIntervalTests {
    @Test("Unset gives 1 s; a number of seconds is read")
    func values() {
        #expect(ScanInterval.from(environment: [:]) == (.seconds(1), nil))
        #expect(ScanInterval.from(environment: ["SILVASONIC_SCAN_INTERVAL_S": "0.25"]).interval == .milliseconds(250))
    }

    @Test("Bad values fall back to 1 s with a message naming the variable", arguments: ["0", "-1", "abc", "inf", "99999"])
    func bad(value: String) {
        let result = ScanInterval.from(environment: ["SILVASONIC_SCAN_INTERVAL_S": value])
        #expect(result.interval == .seconds(1))
        #expect(result.problem?.contains("SILVASONIC_SCAN_INTERVAL_S") == true)
    }
}

@Suite("Many cards")
struct ManyCardsTests {
    @Test("A cards file longer than one page is read whole: 256 cards, 256 devices (found by the benchmark)")
    func manyCards() throws {
        let fixture = try HardwareFixture()
        try fixture.writeCardsFile((0..<256).map { AsoundCard(index: $0, id: "Mic\($0)", driver: "USB-Audio", name: "Mic \($0)") })
        for index in 0..<256 {
            try fixture.addUSBCard(index: index, busPath: "1-\(index + 1)", vendorID: Array("0869".utf8),
                                   productID: Array("0389".utf8), serial: Array("S\(index)".utf8))
        }
        let result = DeviceScanner(roots: fixture.roots).scan()
        #expect(result.devices.count == 256)
        #expect(result.problems.isEmpty)
    }
}
