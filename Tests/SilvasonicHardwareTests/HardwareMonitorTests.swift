import HardwareFixtures
import Logging
import SilvasonicHardware
import SupervisionTesting
import Testing

@Suite("The monitor: initial scan, periodic scans, and scans on uevents")
struct HardwareMonitorTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func plug(_ fixture: HardwareFixture, _ indices: [Int]) throws {
        try fixture.writeCardsFile(indices.map { AsoundCard(index: $0, id: "Mic\($0)", driver: "USB-Audio", name: "Mic") })
        for index in indices {
            try fixture.addUSBCard(index: index, busPath: "1-\(index)", vendorID: Array("0869".utf8),
                                   productID: Array("0389".utf8), serial: Array("S\(index)".utf8))
        }
    }

    @Test("A plug is seen on the next tick, and an unplug likewise")
    func periodic() async throws {
        let fixture = try HardwareFixture()
        let clock = ManualClock()
        let monitor = HardwareMonitor(scanner: DeviceScanner(roots: fixture.roots), interval: .seconds(1),
                                      clock: clock, logger: quiet)
        let (updates, sink) = AsyncStream.makeStream(of: HardwareUpdate.self)
        let (noEvents, _) = AsyncStream.makeStream(of: UEvent.self)
        let run = Task { await monitor.run(uevents: noEvents) { sink.yield($0) } }
        var iterator = updates.makeAsyncIterator()

        let initial = await iterator.next()
        #expect(initial?.trigger == .initial)
        #expect(initial?.devices.isEmpty == true)

        try plug(fixture, [2])
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(1))
        let plugged = await iterator.next()
        #expect(plugged?.trigger == .periodic)
        #expect(plugged?.changes.map(\.kind) == ["appeared 0869-0389-S2"])

        try fixture.removeUSBCard(index: 2, busPath: "1-2")
        try fixture.writeCardsFile([])
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(1))
        let unplugged = await iterator.next()
        #expect(unplugged?.changes.map(\.kind) == ["gone 0869-0389-S2"])
        run.cancel()
        await run.value
    }

    @Test("A sound uevent makes the monitor rescan at once, without waiting for the tick (as an AsyncSequence)")
    func uevent() async throws {
        let fixture = try HardwareFixture()
        let clock = ManualClock()
        let monitor = HardwareMonitor(scanner: DeviceScanner(roots: fixture.roots), interval: .seconds(3600),
                                      clock: clock, logger: quiet)
        let (events, kernel) = AsyncStream.makeStream(of: UEvent.self)
        var iterator = monitor.updates(uevents: events).makeAsyncIterator()
        _ = await iterator.next()

        try plug(fixture, [4])
        kernel.yield(UEvent(action: "add", devpath: "/devices/x/usb1", fields: ["SUBSYSTEM": "net"]))   // ignored
        let add = UEvent(action: "add", devpath: "/devices/x/sound/card4", fields: ["SUBSYSTEM": "sound"])
        kernel.yield(add)
        let update = await iterator.next()
        #expect(update?.trigger == .uevent(add))
        #expect(update?.changes.map(\.kind) == ["appeared 0869-0389-S4"])
    }
}

extension HardwareChange {
    var kind: String {
        switch self {
        case .appeared(let device): "appeared \(device.stableID)"
        case .changed(let device): "changed \(device.stableID)"
        case .gone(let id): "gone \(id)"
        }
    }
}
