import ControllerCore
import Foundation
import SilvasonicController
import SilvasonicPodman

/// The scenarios a ``SimulationRun`` measures, each filling in its part of the figures.
extension SimulationRun {
    /// Unplugs all N at once and waits until every container is removed; then the engine's own
    /// time for the same work at the controller's parallelism.
    func plugUnplug(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        let n = options.devices
        station.engine.clearStarts()
        progress("unplugging all \(n) at once (offline after the \(options.offlineGrace) grace)")
        let unplugged = ContinuousClock.now
        await station.unplug(0..<n)
        try await waitUntil("every recorder removed", timeout: .seconds(120)) { station.engine.removes >= n }
        figures.allRemoved = unplugged.duration(to: .now) / .seconds(1)
        figures.notes.append("unplug → all removed includes the offline grace of \(options.offlineGrace)")
        progress("all \(n) removed after \(String(format: "%.3f", figures.allRemoved ?? 0)) s")
        let baseline = try await EngineBaseline(engine: station.backends.engine, settings: station.backends.settings,
                                                parallelism: options.engineParallelism).run(count: n)
        figures.engineAllRunning = baseline.running / .seconds(1)
        figures.engineAllRemoved = baseline.removed / .seconds(1)
        figures.notes.append("the engine alone: \(options.engineParallelism) calls at a time")
        progress("the engine alone: \(n) running after \(baseline.running), removed after \(baseline.removed)")
    }

    /// Plugs K more microphones one at a time, then crashes K of the first recorders one at a
    /// time, each waited for: event → action with N recorders running.
    func events(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        let n = options.devices, count = options.events
        // Under steady load: the plug's own reconciles have settled.
        try await Task.sleep(for: options.reconcileInterval * 2)
        progress("\(count) microphones plugged one at a time beside \(n) running")
        var plug: [Duration] = [], plugController: [Duration] = []
        for index in n..<(n + count) {
            station.engine.clearStarts()
            let began = await station.plug([index])
            try await waitUntil("microphone \(index)'s recorder started", timeout: .seconds(60), poll: .microseconds(100)) {
                !station.engine.starts.isEmpty
            }
            let start = station.engine.starts[0]
            plug.append(began.duration(to: start.completed))
            plugController.append(began.duration(to: start.completed) - start.engineTime)
        }
        figures.eventPlug = Latencies(plug)
        figures.eventPlugController = Latencies(plugController)

        let victims = try await station.engine.list(labels: ["io.silvasonic.owner": station.backends.settings.owner,
                                                             "io.silvasonic.service": "recorder"], statuses: ["running"])
        let crashes = Array(victims.prefix(count))
        progress("\(crashes.count) recorders crashed one at a time")
        var crash: [Duration] = [], crashController: [Duration] = []
        for victim in crashes {
            station.engine.clearStarts()
            let began = ContinuousClock.now
            try await station.backends.crash(victim.id)
            try await waitUntil("\(victim.name) restarted", timeout: .seconds(60), poll: .microseconds(100)) {
                !station.engine.starts.isEmpty
            }
            let start = station.engine.starts[0]
            crash.append(began.duration(to: start.completed))
            // The engine's share: until its `died` event arrived, and its calls on the way back.
            let died = start.diedEventArrived ?? began
            crashController.append(died.duration(to: start.completed) - start.engineTime)
        }
        figures.eventCrash = Latencies(crash)
        figures.eventCrashController = Latencies(crashController)
        figures.notes.append("\(count) plugs and \(crashes.count) crashes, one at a time; each crash is its recorder's "
                             + "first, restarted at once")
    }

    func steady(_ station: SimulatedStation, _ figures: inout Figures) async throws {
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

    func crashStorm(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        let n = options.devices
        let crashes = max(1, Int((Double(n) * options.crashFraction).rounded()))
        var issued = 0, expected = 0, healthy = 0
        for round in 1...options.rounds {
            station.engine.clearStarts()
            let running = try await station.engine.list(labels: ["io.silvasonic.owner": station.backends.settings.owner,
                                                                 "io.silvasonic.service": "recorder"], statuses: ["running"])
            let victims = Array(running.shuffled().prefix(crashes))
            let victimIDs = Set(victims.map { $0.labels["io.silvasonic.device_id"] ?? "" })
            progress("round \(round): \(victims.count) recorders die at once")
            for victim in victims { try await station.backends.crash(victim.id) }
            try await waitUntil("every recorder running again", timeout: .seconds(120)) { try await station.backends.runningCount() >= n }
            // Quiet for a while: no further restart may come.
            try await Task.sleep(for: options.backoffInitial * 4)
            let starts = station.engine.starts
            issued += starts.count
            expected += victims.count
            healthy += starts.filter { !victimIDs.contains($0.deviceID ?? "") }.count
        }
        figures.restartsIssued = issued
        figures.restartsExpected = expected
        figures.healthyRestarted = healthy
        figures.notes.append("\(options.rounds) rounds of \(crashes) crashes; each restart waits out the backoff (\(options.backoffInitial) first)")
    }

    func flapping(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        let n = options.devices
        let flappers = Array(0..<max(1, n / 10))
        station.engine.clearStarts()
        progress("\(flappers.count) microphones out and back within the grace")
        await station.unplug(flappers)
        await station.plug(flappers)
        try await Task.sleep(for: options.offlineGrace * 2)
        let within = station.engine.starts.count
        progress("\(flappers.count) microphones out past the grace, then back")
        await station.unplug(flappers)
        try await waitUntil("their recorders stopped", timeout: .seconds(60)) {
            try await station.backends.runningCount() <= n - flappers.count
        }
        station.engine.clearStarts()
        await station.plug(flappers)
        try await waitUntil("every recorder running again", timeout: .seconds(120)) { try await station.backends.runningCount() >= n }
        let after = station.engine.starts.count
        figures.restartsIssued = within + after
        figures.restartsExpected = flappers.count
        figures.healthyRestarted = within
        figures.notes.append("within the grace: \(within) restarts (0 expected); past it: \(after) of \(flappers.count)")
    }

    func nudgeStorm(_ station: SimulatedStation, _ figures: inout Figures) async {
        let nudges = 1000
        let before = await station.reconciler.completedRuns
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<nudges { group.addTask { await station.reconciler.reconcile(reason: .nudge) } }
        }
        let elapsed = started.duration(to: .now) / .seconds(1)
        let runs = await station.reconciler.completedRuns - before
        figures.reconcileRuns = runs
        figures.notes.append("\(nudges) nudges at once → \(runs) reconcile runs in \(String(format: "%.3f", elapsed)) s (coalesced)")
    }

    func outage(_ station: SimulatedStation, _ figures: inout Figures) async throws {
        let n = options.devices
        progress("database and engine unreachable for \(options.reconcileInterval * 3)")
        station.engine.clearStarts()
        guard await station.backends.setReachable(false) else {
            figures.notes.append("no outage: these backends cannot be made unreachable from here")
            return
        }
        try await Task.sleep(for: options.reconcileInterval * 3)
        _ = await station.backends.setReachable(true)
        try await Task.sleep(for: options.reconcileInterval * 2)
        let running = try await station.backends.runningCount()
        figures.notes.append("after the outage \(running) of \(n) running (nothing may stop)")
        figures.healthyRestarted = station.engine.starts.count
    }
}
