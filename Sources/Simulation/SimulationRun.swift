import ControllerCore
import Foundation
import Glibc
import Histogram
import SilvasonicController

/// One simulation run: plug every microphone, wait until each records, then the scenario;
/// the figures it measured.
package struct SimulationRun: Sendable {
    /// What was measured; `nil` for what the scenario does not measure.
    package struct Figures: Sendable {
        public var devices: Int
        public var scenario: String
        /// What the station ran on.
        public var backends: String
        /// Plug of all N at once → each container's start returned.
        package var plugLatency: Latencies
        /// The engine's own time on each device in that plug (``TimedContainerEngine``: its
        /// container's lookup, create and start).
        package var plugEngineTime: Latencies
        /// Events one at a time under load (the events scenario): plug → start, and the
        /// controller's share of it (the engine's time taken out).
        package var eventPlug: Latencies?
        package var eventPlugController: Latencies?
        /// Crash → restart returned (a first crash is restarted at once: no backoff); and its
        /// controller share (the engine's time and its `died` event's delivery taken out).
        package var eventCrash: Latencies?
        package var eventCrashController: Latencies?
        /// Plug → every recorder running (seconds).
        var allRunning: Double
        /// Unplug of all N → every container removed (seconds; the offline grace included).
        package var allRemoved: Double?
        /// The engine alone, at the controller's parallelism: N create + start, N stop + remove (seconds).
        package var engineAllRunning: Double?
        package var engineAllRemoved: Double?
        package var rssMB: Double
        var rssPerDeviceKB: Double
        /// RSS after `malloc_trim`: the memory in use, without free pages the allocator kept.
        var rssTrimmedMB: Double = 0
        /// CPU seconds per device-hour while idle (steady).
        var cpuSecondsPerDeviceHour: Double?
        /// Share of one core used while idle (steady).
        package var idleCorePercent: Double?
        package var restartsIssued: Int?
        package var restartsExpected: Int?
        /// Restarts of recorders that had not died (must be 0).
        package var healthyRestarted: Int?
        /// Reconcile runs the nudge storm's thousand requests became (coalesced).
        package var reconcileRuns: Int?
        package var notes: [String] = []
    }

    public let options: SimulationOptions
    /// Called with a line of progress.
    package let progress: @Sendable (String) -> Void
    /// Makes the backends, given a scratch workspace directory; in memory unless told otherwise.
    package let makeBackends: @Sendable (_ workspace: String) -> any SimulationBackends

    public init(options: SimulationOptions, progress: @escaping @Sendable (String) -> Void = { _ in },
                backends: (@Sendable (_ workspace: String) -> any SimulationBackends)? = nil) {
        self.options = options
        self.progress = progress
        makeBackends = backends ?? { workspace in InMemorySimulationBackends(options: options, workspace: workspace) }
    }

    public func run() async throws -> Figures {
        // The recorders' workspace directories (10,000 of them) go to memory where there is some
        // (/dev/shm): the figures are the controller's, not this machine's disk's.
        let scratch = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : FileManager.default.temporaryDirectory.path
        let workspace = scratch + "/silvasonic-sim-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let backends = makeBackends(workspace)
        try await backends.prepare(devices: options.devices + (options.scenario == .events ? options.events : 0))
        let station = SimulatedStation(options: options, backends: backends)
        let runner = Task { try await station.run() }
        do {
            let figures = try await measure(station)
            runner.cancel()
            _ = await runner.result
            await backends.cleanUp()
            return figures
        } catch {
            runner.cancel()
            _ = await runner.result
            await backends.cleanUp()
            throw error
        }
    }

    private func measure(_ station: SimulatedStation) async throws -> Figures {
        let n = options.devices
        progress("plugging \(n) microphones at once (\(station.backends.name))")
        let plugged = ContinuousClock.now
        await station.plug(0..<n)
        try await waitUntil("every recorder started", timeout: .seconds(120)) { station.engine.starts.count >= n }
        let allRunning = plugged.duration(to: .now)
        let starts = station.engine.starts
        var figures = Figures(devices: n, scenario: options.scenario.rawValue, backends: station.backends.name,
                              plugLatency: Latencies(starts.map { plugged.duration(to: $0.completed) }),
                              plugEngineTime: Latencies(starts.map(\.engineTime)),
                              allRunning: allRunning / .seconds(1), rssMB: 0, rssPerDeviceKB: 0)
        progress("all \(n) running after \(String(format: "%.3f", figures.allRunning)) s")
        if options.engineLatency > .zero { figures.notes.append("engine latency \(options.engineLatency) per create and start") }
        if options.failureRate > 0 { figures.notes.append("engine failure rate \(options.failureRate) of creates and starts") }

        switch options.scenario {
        case .plug:
            break
        case .steady:
            try await steady(station, &figures)
        case .crashStorm:
            try await crashStorm(station, &figures)
        case .flapping:
            try await flapping(station, &figures)
        case .nudgeStorm:
            await nudgeStorm(station, &figures)
        case .outage:
            try await outage(station, &figures)
        case .events:
            try await events(station, &figures)
        case .plugUnplug:
            try await plugUnplug(station, &figures)
        }
        let rss = ProcessStats.now()?.residentKB ?? 0
        figures.rssMB = Double(rss) / 1024
        figures.rssPerDeviceKB = Double(rss) / Double(max(1, n))
        // What the allocator holds on to after the plug's peak, apart from what lives: RSS again
        // after it gave its free pages back.
        ProcessStats.trimAllocator()
        figures.rssTrimmedMB = Double(ProcessStats.now()?.residentKB ?? 0) / 1024
        return figures
    }

    /// Polls `condition`: the harness watches from outside, as a person would, at `poll`.
    func waitUntil(_ what: String, timeout: Duration, poll: Duration = .milliseconds(2),
                           _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(try await condition()) {
            guard ContinuousClock.now < deadline else { throw SimulationTimeout(what: what, after: timeout) }
            try await Task.sleep(for: poll)
        }
    }
}

/// A latency distribution, recorded in an HDR histogram at microsecond resolution (three
/// significant digits); figures in milliseconds.
package struct Latencies: Sendable {
    public var count: Int
    package var p50: Double
    var p99: Double
    public var max: Double

    public init(_ samples: [Duration]) {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for sample in samples {
            histogram.record(UInt64(Swift.max(0, sample / .microseconds(1)).rounded()))
        }
        count = samples.count
        p50 = Double(histogram.valueAtPercentile(50)) / 1000
        p99 = Double(histogram.valueAtPercentile(99)) / 1000
        max = Double(histogram.max) / 1000
    }
}

/// A condition the simulation waited for did not come.
package struct SimulationTimeout: Error, CustomStringConvertible {
    public var what: String
    public var after: Duration
    public var description: String { "\(what): not within \(after)" }
}

/// This process's CPU time and resident memory, from `/proc` through the controller's own
/// ``ResourceSample`` parser (the one its heartbeat uses).
package enum ProcessStats {
    /// Asks glibc's allocator to give its free pages back (`malloc_trim(0)`, which Swift's
    /// Glibc module does not export: looked up by name; a no-op where it is missing).
    static func trimAllocator() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    public static func now() -> (cpuSeconds: Double, residentKB: UInt64)? {
        func read(_ path: String) -> String? { try? String(contentsOfFile: "/proc/" + path, encoding: .utf8) }
        guard let selfStat = read("self/stat"), let selfStatus = read("self/status"), let stat = read("stat"),
              let meminfo = read("meminfo"),
              let sample = ResourceSample.parse(selfStat: selfStat, selfStatus: selfStatus, stat: stat, meminfo: meminfo,
                                                seconds: 0) else { return nil }
        return (Double(sample.processTicks) / Double(sysconf(Int32(_SC_CLK_TCK))), sample.residentKB)
    }
}
