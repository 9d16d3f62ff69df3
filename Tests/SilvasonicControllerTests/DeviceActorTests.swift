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
    /// As a station's, shorter: two restarts within five minutes, then labelled crash-looping;
    /// the first restart at once, then 1 s doubling to 8 s, no jitter.
    let policy = RecorderPolicy(intensity: RestartIntensity(maxRestarts: 2, within: .seconds(300)),
                                backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(8), jitter: 0,
                                                       immediateFirstRestart: true))

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

    @Test("A recorder that crashes at every start: its start and Podman's retries are one crash; the controller's starts wait 0, 1, 2, 4 s, labelled crash-looping past the intensity with the same waits; the fault clears and it records within the current wait")
    func crashTimeline() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        let spec = recorderSpec(workspace: root)
        var recording = try await running.record(spec)
        let device = recording.actor, id = recording.containerID
        // The microphone fails at open: every start exits 3 at once. Podman retries five times
        // (on-failure:5) before it leaves the container; only then is it the controller's crash.
        await engine.crashOnStart(spec.name, exitCode: 3)
        try await engine.exit(id, code: 3)
        #expect(await recording.reports.next() == .restarting(after: .zero, restartCount: 1), "the first restart at once")
        #expect(await recording.reports.next() == .started(containerID: id))
        #expect(try await engine.inspect(id).restartCount == 5, "the controller's start was followed by Podman's five retries")
        #expect(await recording.reports.next() == .restarting(after: .seconds(1), restartCount: 2))
        #expect(try await engine.inspect(id).running == false, "nothing restarts before the backoff")
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(1))
        #expect(await recording.reports.next() == .started(containerID: id))
        // One past the intensity (two restarts): labelled crash-looping, and the wait is the
        // backoff's next one, 2 s, not the cap's 8 s.
        #expect(await recording.reports.next() == .crashLooping(restarts: 3, within: .seconds(300), longestWait: .seconds(8)))
        #expect(await recording.reports.next() == .restarting(after: .seconds(2), restartCount: 3))
        let looping = await device.status()
        #expect(looping.state == .crashLooping)
        #expect(looping.nextRetry == .seconds(2))
        #expect(looping.children.first?.crashLooping == true, "the library's own view agrees")
        #expect(looping.lastFailure?.contains("exited with code 3") == true)
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(2))
        #expect(await recording.reports.next() == .started(containerID: id))
        #expect(await recording.reports.next() == .restarting(after: .seconds(4), restartCount: 4))
        // The fault clears during the wait: recording again when the wait is over, not later.
        await engine.crashOnStart(spec.name, exitCode: nil)
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(4))
        #expect(await recording.reports.next() == .started(containerID: id))
        #expect(try await engine.inspect(id).running)
        // A stable run ends the label and forgets the history: the next crash is restarted at once.
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(60))
        #expect(await recording.reports.next() == .recovered(restarts: 4))
        try await engine.kill(id, signal: "KILL")
        #expect(await recording.reports.next() == .restarting(after: .zero, restartCount: 1))
        #expect(await recording.reports.next() == .started(containerID: id))
        await running.stop()
    }

    @Test("An operator's restart skips the wait of a recorder backing off; so does a changed spec")
    func tryNowSkipsTheWait() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        var recording = try await running.record(recorderSpec(workspace: root))
        let device = recording.actor, id = recording.containerID
        try await engine.kill(id, signal: "KILL")
        #expect(await recording.reports.next() == .restarting(after: .zero, restartCount: 1))
        #expect(await recording.reports.next() == .started(containerID: id))
        try await engine.kill(id, signal: "KILL")
        #expect(await recording.reports.next() == .restarting(after: .seconds(1), restartCount: 2))
        #expect(await device.restartRequested())
        #expect(await recording.reports.next() == .started(containerID: id), "tried now, the clock unmoved")
        try await engine.kill(id, signal: "KILL")
        #expect(await recording.reports.next() == .crashLooping(restarts: 3, within: .seconds(300), longestWait: .seconds(8)))
        #expect(await recording.reports.next() == .restarting(after: .seconds(2), restartCount: 3))
        await running.decide("mic-1", .record(recorderSpec(memory: "1g", workspace: root)))
        #expect(await recording.reports.next() == .stopping(containerID: id, reason: .configDrift))
        _ = try await awaitStarted(&recording.reports)
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

    @Test("Podman's own retries are the engine's business: a death it restarts is no crash, and a container started during the controller's wait does not end it")
    func engineRestartsAreTheEngines() async throws {
        let root = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let running = try RunningTree(engine: engine, clock: clock, policy: policy)
        var recording = try await running.record(recorderSpec(workspace: root))
        let device = recording.actor, id = recording.containerID
        // Its process dies (non-zero): Podman's on-failure policy restarts it, the controller waits on.
        try await engine.exit(id, code: 1)
        #expect(try await engine.inspect(id).running)
        // A kill through the API is Podman's to leave: the first crash (the exit above was none),
        // restarted at once.
        try await engine.kill(id, signal: "KILL")
        #expect(await recording.reports.next() == .restarting(after: .zero, restartCount: 1))
        #expect(await recording.reports.next() == .started(containerID: id))
        try await engine.kill(id, signal: "KILL")
        #expect(await recording.reports.next() == .restarting(after: .seconds(1), restartCount: 2))
        // Started by someone else during the wait: the wait goes on, and then it is adopted.
        try await engine.start(id)
        #expect(await device.status().state == .backingOff)
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(1))
        #expect(await recording.reports.next() == .adopted(containerID: id))
        #expect(await device.status().restarts == 2)
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
        #expect(FileManager.default.fileExists(atPath: settings.workspacePath + "/recorder"),
                "its read-only source too: BirdNET runs on a fresh station before any recorder made it")
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
            try await engine.kill(crashing, signal: "KILL")
            if round == 0 { #expect(await one.next() == .crashLooping(restarts: 1, within: .seconds(300), longestWait: .seconds(8))) }
            let wait = Duration.seconds(1 << round)   // 1, 2, 4 s: labelled, never a longer wait
            #expect(await one.next() == .restarting(after: wait, restartCount: round + 1))
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: wait)
            #expect(await one.next() == .started(containerID: crashing))
        }
        #expect(try await engine.inspect(steady).running)
        #expect(try await running.actor("mic-2").status().restarts == 0)
        let tree = await running.tree.devices.supervisor.whichChildren()
        #expect(tree.map(\.restarts) == [0, 0], "no device actor was restarted by the device supervisor")
        await running.stop()
    }
}
