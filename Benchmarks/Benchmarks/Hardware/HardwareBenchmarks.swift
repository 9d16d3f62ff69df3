import Benchmark
import HardwareFixtures
import Logging
import SilvasonicHardware

// Benchmark names carry no spaces: package-benchmark writes threshold files with spaces turned
// into underscores but looks them up by the raw name, so a name with a space is never checked.

/// A fixture machine with `count` USB microphones.
func fixture(cards count: Int) throws -> HardwareFixture {
    let fixture = try HardwareFixture()
    try fixture.writeCardsFile((0..<count).map { AsoundCard(index: $0, id: "Mic\($0)", driver: "USB-Audio", name: "Mic \($0)") })
    for index in 0..<count {
        try fixture.addUSBCard(index: index, busPath: "1-\(index + 1)", vendorID: Array("0869".utf8),
                               productID: Array("0389".utf8), serial: Array("SER\(index)".utf8))
    }
    return fixture
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .syscalls],
        maxDuration: .seconds(3),
        maxIterations: 200,
        // The harness itself allocates a little, varying by a few between runs: allow 8 more
        // than the recorded p90 (per 1,000 calls in the kilo-scaled suites) before failing.
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 8])]
    )

    for count in [1, 16, 256] {
        Benchmark("scan-\(count)-usb-cards") { benchmark in
            let machine = try fixture(cards: count)
            let scanner = DeviceScanner(roots: machine.roots)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(scanner.scan())
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("uevent-to-rescan-16-cards") { benchmark in
        let machine = try fixture(cards: 16)
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let monitor = HardwareMonitor(scanner: DeviceScanner(roots: machine.roots), interval: .seconds(3600),
                                      clock: ContinuousClock(), logger: quiet)
        let (updates, sink) = AsyncStream.makeStream(of: HardwareUpdate.self)
        let (events, kernel) = AsyncStream.makeStream(of: UEvent.self)
        let run = Task { await monitor.run(uevents: events) { sink.yield($0) } }
        var iterator = updates.makeAsyncIterator()
        _ = await iterator.next()   // the initial scan
        var plugged = false
        for _ in benchmark.scaledIterations {
            // Each round plugs or unplugs card 16, so every uevent's rescan has a change to report.
            if plugged {
                try machine.removeUSBCard(index: 16, busPath: "1-17")
            } else {
                try machine.addUSBCard(index: 16, busPath: "1-17", vendorID: Array("0869".utf8),
                                       productID: Array("0389".utf8), serial: Array("NEW".utf8))
            }
            try machine.writeCardsFile((0..<(plugged ? 16 : 17)).map {
                AsoundCard(index: $0, id: "Mic\($0)", driver: "USB-Audio", name: "Mic \($0)")
            })
            plugged.toggle()
            benchmark.startMeasurement()
            kernel.yield(UEvent(action: plugged ? "add" : "remove", devpath: "/devices/usb1/1-17/sound/card16",
                                fields: ["SUBSYSTEM": "sound"]))
            blackHole(await iterator.next())
            benchmark.stopMeasurement()
        }
        run.cancel()
    }
}
