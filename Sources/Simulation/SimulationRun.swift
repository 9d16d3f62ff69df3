import ControllerCore
import Foundation
import SilvasonicController

/// One simulation run: plug every microphone, wait until each records, then the scenario;
/// the figures it measured.
public struct SimulationRun: Sendable {
    /// What was measured; `nil` for what the scenario does not measure.
    public struct Figures: Sendable {
        public var devices: Int
        public var scenario: String
        /// Plug → container start, per device (milliseconds).
        public var latencyP50: Double
        public var latencyP99: Double
        public var latencyMax: Double
        /// Plug → every recorder running (seconds).
        public var allRunning: Double
        public var rssMB: Double
        public var rssPerDeviceKB: Double
        /// CPU seconds per device-hour while idle (steady).
        public var cpuSecondsPerDeviceHour: Double?
        /// Share of one core used while idle (steady).
        public var idleCorePercent: Double?
        public var restartsIssued: Int?
        public var restartsExpected: Int?
        /// Restarts of recorders that had not died (must be 0).
        public var healthyRestarted: Int?
        public var notes: [String] = []
    }

    public let options: SimulationOptions
    /// Called with a line of progress.
    public let progress: @Sendable (String) -> Void

    public init(options: SimulationOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.progress = progress
    }

    public func run() async throws -> Figures {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("silvasonic-sim-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let station = SimulatedStation(options: options, workspace: workspace)
        let runner = Task { await station.run() }
        defer { runner.cancel() }
        let n = options.devices

        progress("plugging \(n) microphones at once")
        let plugged = ContinuousClock.now
        await station.plug(0..<n)
        try await waitUntil("every recorder running", timeout: .seconds(120)) { await station.engine.runningCount >= n }
        let allRunning = plugged.duration(to: .now)
        let latencies = await station.engine.starts.map { plugged.duration(to: $0.at) / .milliseconds(1) }.sorted()
        var figures = Figures(devices: n, scenario: options.scenario.rawValue,
                              latencyP50: Self.percentile(latencies, 0.50), latencyP99: Self.percentile(latencies, 0.99),
                              latencyMax: latencies.last ?? 0, allRunning: allRunning / .seconds(1), rssMB: 0, rssPerDeviceKB: 0)
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
        }
        let rss = ProcessStats.now()?.residentKB ?? 0
        figures.rssMB = Double(rss) / 1024
        figures.rssPerDeviceKB = Double(rss) / Double(max(1, n))
        await station.registry.shutdown()
        return figures
    }

    private func steady(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        // Let the start settle, then measure over whole reconcile intervals.
        try await Task.sleep(for: options.reconcileInterval * 2)
        guard let before = ProcessStats.now() else { return }
        let started = ContinuousClock.now
        progress("idle for \(options.steadySeconds) s with the periodic reconcile")
        try await Task.sleep(for: .milliseconds(Int64(options.steadySeconds * 1000)))
        guard let after = ProcessStats.now() else { return }
        let seconds = started.duration(to: .now) / .seconds(1)
        let cpu = after.cpuSeconds - before.cpuSeconds
        figures.idleCorePercent = cpu / seconds * 100
        figures.cpuSecondsPerDeviceHour = cpu / seconds * 3600 / Double(max(1, options.devices))
    }

    private func crashStorm(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        let n = options.devices
        let crashes = max(1, Int((Double(n) * options.crashFraction).rounded()))
        var issued = 0, expected = 0, healthy = 0
        for round in 1...options.rounds {
            await station.engine.clearStarts()
            let running = try await station.engine.list(labels: ["io.silvasonic.owner": "simulation"], statuses: ["running"])
            let victims = Array(running.shuffled().prefix(crashes))
            let victimIDs = Set(victims.map { $0.labels["io.silvasonic.device_id"] ?? "" })
            progress("round \(round): \(victims.count) recorders die at once")
            for victim in victims { try await station.engine.exit(victim.id, code: 1) }
            try await waitUntil("every recorder running again", timeout: .seconds(120)) { await station.engine.runningCount >= n }
            // Quiet for a while: no further restart may come.
            try await Task.sleep(for: options.backoffInitial * 4)
            let starts = await station.engine.starts
            issued += starts.count
            expected += victims.count
            healthy += starts.filter { !victimIDs.contains($0.labels["io.silvasonic.device_id"] ?? "") }.count
        }
        figures.restartsIssued = issued
        figures.restartsExpected = expected
        figures.healthyRestarted = healthy
        figures.notes.append("\(options.rounds) rounds of \(crashes) crashes; each restart waits out the backoff (\(options.backoffInitial) first)")
    }

    private func flapping(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        let n = options.devices
        let flappers = Array(0..<max(1, n / 10))
        await station.engine.clearStarts()
        progress("\(flappers.count) microphones out and back within the grace")
        await station.unplug(flappers)
        await station.plug(flappers)
        try await Task.sleep(for: options.offlineGrace * 2)
        let within = await station.engine.starts.count
        progress("\(flappers.count) microphones out past the grace, then back")
        await station.unplug(flappers)
        try await waitUntil("their recorders stopped", timeout: .seconds(60)) {
            await station.engine.runningCount <= n - flappers.count
        }
        await station.engine.clearStarts()
        await station.plug(flappers)
        try await waitUntil("every recorder running again", timeout: .seconds(120)) { await station.engine.runningCount >= n }
        let after = await station.engine.starts.count
        figures.restartsIssued = within + after
        figures.restartsExpected = flappers.count
        figures.healthyRestarted = within
        figures.notes.append("within the grace: \(within) restarts (0 expected); past it: \(after) of \(flappers.count)")
    }

    private func nudgeStorm(_ station: SimulatedStation, _ figures: inout Figures) async {
        let nudges = 1000
        let before = await station.reconciler.completedRuns
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<nudges { group.addTask { await station.reconciler.reconcile(reason: "nudge") } }
        }
        let elapsed = started.duration(to: .now) / .seconds(1)
        let runs = await station.reconciler.completedRuns - before
        figures.notes.append("\(nudges) nudges at once → \(runs) reconcile runs in \(String(format: "%.3f", elapsed)) s (coalesced)")
    }

    private func outage(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        let n = options.devices
        progress("database and engine unreachable for \(options.reconcileInterval * 3)")
        await station.store.setReachable(false)
        await station.engine.setReachable(false)
        try await Task.sleep(for: options.reconcileInterval * 3)
        await station.engine.setReachable(true)
        await station.store.setReachable(true)
        try await Task.sleep(for: options.reconcileInterval * 2)
        let running = await station.engine.runningCount
        figures.notes.append("after the outage \(running) of \(n) running (nothing may stop)")
        figures.healthyRestarted = await station.engine.starts.count - n
    }

    private func waitUntil(_ what: String, timeout: Duration, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw SimulationTimeout(what: what, after: timeout) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    static func percentile(_ sorted: [Double], _ share: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * share).rounded(.up)) - 1)]
    }
}

/// A condition the simulation waited for did not come.
public struct SimulationTimeout: Error, CustomStringConvertible {
    public var what: String
    public var after: Duration
    public var description: String { "\(what): not within \(after)" }
}

/// This process's CPU time and resident memory, from `/proc` through the controller's own
/// ``ResourceSample`` parser (the one its heartbeat uses).
public enum ProcessStats {
    public static func now() -> (cpuSeconds: Double, residentKB: UInt64)? {
        func read(_ path: String) -> String? { try? String(contentsOfFile: "/proc/" + path, encoding: .utf8) }
        guard let selfStat = read("self/stat"), let selfStatus = read("self/status"), let stat = read("stat"),
              let meminfo = read("meminfo"),
              let sample = ResourceSample.parse(selfStat: selfStat, selfStatus: selfStatus, stat: stat, meminfo: meminfo,
                                                seconds: 0) else { return nil }
        return (Double(sample.processTicks) / Double(sysconf(Int32(_SC_CLK_TCK))), sample.residentKB)
    }
}
