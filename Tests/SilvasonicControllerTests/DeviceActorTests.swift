import ControllerCore
import Foundation
import InMemoryBackends
import Logging
import SilvasonicController
import SilvasonicPodman
import Supervision
import SupervisionTesting
import Testing

@Suite("A DeviceActor supervises its recorder with the library, against an in-memory engine, on a manual clock",
       .timeLimit(.minutes(1)))
struct DeviceActorTests {
    let clock = ManualClock()
    let engine = InMemoryContainerEngine()
    /// Two restarts within five minutes, then crash-looping; 1 s doubling to 8 s, no jitter.
    let policy = RecorderPolicy(intensity: RestartIntensity(maxRestarts: 2, within: .seconds(300)),
                                backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(8), jitter: 0))

    @Test("A wanted recorder is created with its workspace and started; the next controller's tree adopts it untouched")
    func createThenAdopt() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        let recording = try await running.record(recorderSpec(workspace: root))
        let id = recording.containerID
        #expect(FileManager.default.fileExists(atPath: root + "/recorder/generic-usb-mic-1"))
        let inspection = try await engine.inspect(id)
        #expect(inspection.running)
        #expect(inspection.labels["io.silvasonic.config_hash"] == recorderSpec(workspace: root).configHash)
        await running.stop()
        #expect(try await engine.inspect(id).running, "a stopping tree leaves its containers to the shutdown policy")

        let successor = try RunningTree(engine: engine, clock: clock, policy: policy)   // after kill -9
        await successor.decide("mic-1", .record(recorderSpec(workspace: root)))
        var adopted = try #require(try await successor.actor("mic-1").reports).makeAsyncIterator()
        #expect(await adopted.next() == .adopted(containerID: id))
        #expect(try await engine.list(labels: ["io.silvasonic.device_id": "mic-1"], statuses: []).map(\.id) == [id])
        let status = try await successor.actor("mic-1").status()
        #expect(status.state == .running(containerID: id))
        #expect(status.children.map(\.id) == ["container"], "no Redis: no heartbeat or log child")
        await successor.stop()
    }

    @Test("A crash is restarted by the library after the backoff; past the intensity it is crash-looping, retried at the cap; an operator skips the wait")
    func crashAndCrashLoop() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        var recording = try await running.record(recorderSpec(workspace: root))
        let device = recording.actor, id = recording.containerID
        for restart in 1...2 {
            try await engine.exit(id, code: 1)
            #expect(await recording.reports.next() == .restarting(after: .seconds(restart == 1 ? 1 : 2), restartCount: restart))
            #expect(try await engine.inspect(id).running == false, "nothing restarts before the backoff")
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(8))
            #expect(await recording.reports.next() == .started(containerID: id), "the same container, started again")
            #expect(try await engine.inspect(id).running)
        }
        try await engine.exit(id, code: 1)
        #expect(await recording.reports.next() == .crashLooping(restarts: 3, within: .seconds(300), retryEvery: .seconds(8)))
        #expect(await recording.reports.next() == .restarting(after: .seconds(8), restartCount: 3))
        let looping = await device.status()
        #expect(looping.state == .crashLooping)
        #expect(looping.nextRetry == .seconds(8))
        #expect(looping.children.first?.crashLooping == true, "the library's own view agrees")
        #expect(looping.lastFailure?.contains("exited with code 1") == true)
        // Never given up: retried at the cap.
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(8))
        #expect(await recording.reports.next() == .started(containerID: id))
        // An operator's restart skips the wait of the next round.
        try await engine.exit(id, code: 1)
        #expect(await recording.reports.next() == .restarting(after: .seconds(8), restartCount: 4))
        #expect(await device.restartRequested())
        #expect(await recording.reports.next() == .started(containerID: id))
        await running.stop()
    }

    @Test("With the controller's settings, a killed recorder is started again at once, without the clock moving")
    func killedRestartsAtOnce() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var settings = try ControllerSettings(environment: [:])
        settings.recorderBackoffInitial = .seconds(30)
        let running = try RunningTree(engine: engine, clock: clock, policy: settings.recorderPolicy)
        var recording = try await running.record(recorderSpec(workspace: root))
        let id = recording.containerID
        try await engine.kill(id, signal: "KILL")
        #expect(await recording.reports.next() == .restarting(after: .zero, restartCount: 1))
        #expect(await recording.reports.next() == .started(containerID: id))
        #expect(try await engine.inspect(id).running)
        await running.stop()
    }

    @Test("A burst of the engine's own restarts counts as one crash: adopted, and its death before a stable run not counted")
    func engineRestartBurst() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        var recording = try await running.record(recorderSpec(workspace: root))
        let id = recording.containerID
        try await engine.exit(id, code: 1)
        #expect(await recording.reports.next() == .restarting(after: .seconds(1), restartCount: 1))
        // Podman's on-failure policy starts it during the backoff: adopted at once, not fought.
        try await engine.start(id)
        #expect(await recording.reports.next() == .adopted(containerID: id))
        // It dies again before a stable run: the same burst; looked up and started, not counted.
        try await engine.exit(id, code: 1)
        #expect(await recording.reports.next() == .started(containerID: id))
        // A death of a run the controller started is a crash again.
        try await engine.exit(id, code: 1)
        #expect(await recording.reports.next() == .restarting(after: .seconds(2), restartCount: 2))
        await running.stop()
    }

    @Test("A changed spec replaces the container at once; unwanted, it is stopped and removed with the reason")
    func replaceAndStop() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        var recording = try await running.record(recorderSpec(workspace: root))
        let device = recording.actor, first = recording.containerID
        await running.decide("mic-1", .record(recorderSpec(memory: "1g", workspace: root)))
        #expect(await recording.reports.next() == .stopping(containerID: first, reason: .configDrift))
        let second = try await awaitStarted(&recording.reports)
        #expect(second != first)
        let removed = await #expect(throws: PodmanError.self) { try await engine.inspect(first) }
        #expect(removed?.code == .notFound)
        await running.decide("mic-1", .idle(.disabled))
        #expect(await recording.reports.next() == .stopping(containerID: second, reason: .unwanted(.disabled)))
        try await untilEngine(engine) { try await engine.list(labels: ["io.silvasonic.device_id": "mic-1"], statuses: []).isEmpty }
        let status = await device.status()
        #expect(status.lastStop == "disabled")
        #expect(status.restarts == 0, "a replacement and a stop are no crashes")
        await running.stop()
    }

    @Test("While the engine is down the container child waits on the engine's backoff, uncounted; its event stream's return ends the wait at once")
    func engineOutage() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        await engine.setReachable(false)
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        await running.decide("mic-1", .record(recorderSpec(workspace: root)))
        let device = try await running.actor("mic-1")
        var reports = try #require(device.reports).makeAsyncIterator()
        guard case .engineError? = await reports.next() else { Issue.record("no engine error"); return }
        #expect(await device.status().state == .backingOff)
        await clock.waitForSleepers(atLeast: 1)
        await engine.setReachable(true)   // the clock does not move: no backoff is waited out
        _ = try await awaitStarted(&reports)
        #expect(await device.status().restarts == 0, "the engine's trouble is not the recorder's crash")
        await running.stop()
    }

    @Test("A worker left running by an earlier controller is found and stopped when not wanted; wanted, it runs")
    func workers() async throws {
        var settings = StationSettings()
        settings.workspacePath = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: settings.workspacePath) }
        let spec = StationSpecs.birdnet(settings: settings)
        let leftover = try await engine.create(spec.podmanSpec)
        try await engine.start(leftover)
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        await running.tree.workers.applyWorkers(["birdnet": nil])
        try await untilEngine(engine) { try await engine.list(labels: ["io.silvasonic.service": "birdnet"], statuses: []).isEmpty }

        await running.tree.workers.applyWorkers(["birdnet": spec])
        try await untilEngine(engine) {
            try await engine.list(labels: ["io.silvasonic.service": "birdnet"], statuses: ["running"]).map(\.name) == ["silvasonic-birdnet"]
        }
        #expect(FileManager.default.fileExists(atPath: settings.workspacePath + "/birdnet"))
        #expect(running.tree.devices.runningDevices().isEmpty, "a worker is not a device")
        let statuses = await running.tree.workers.statuses()
        #expect(statuses["birdnet"]?.service == "birdnet")
        await running.stop()
    }

    @Test("A device's crashes never reach another device: one crash-loops while its neighbour keeps its container")
    func isolation() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let strict = RecorderPolicy(intensity: RestartIntensity(maxRestarts: 0, within: .seconds(300)),
                                    backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(8), jitter: 0))
        let running = try RunningTree(engine: engine, clock: clock, policy: strict)
        await running.tree.devices.apply(Reconciliation.Plan(decisions: [
            "mic-1": .record(recorderSpec("mic-1", workspace: root)), "mic-2": .record(recorderSpec("mic-2", workspace: root)),
        ]))
        var one = try #require(try await running.actor("mic-1").reports).makeAsyncIterator()
        var two = try #require(try await running.actor("mic-2").reports).makeAsyncIterator()
        let crashing = try await awaitStarted(&one)
        let steady = try await awaitStarted(&two)
        for round in 0..<3 {
            try await engine.exit(crashing, code: 1)
            if round == 0 { #expect(await one.next() == .crashLooping(restarts: 1, within: .seconds(300), retryEvery: .seconds(8))) }
            #expect(await one.next() == .restarting(after: .seconds(8), restartCount: round + 1))
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(8))
            #expect(await one.next() == .started(containerID: crashing))
        }
        #expect(try await engine.inspect(steady).running)
        #expect(try await running.actor("mic-2").status().restarts == 0)
        let tree = await running.tree.devices.supervisor.whichChildren()
        #expect(tree.map(\.restarts) == [0, 0], "no device actor was restarted by the device supervisor")
        await running.stop()
    }
}
