import ControllerCore
import Foundation
import InMemoryBackends
import Logging
import SilvasonicController
import SilvasonicPodman
import Supervision
import SupervisionTesting
import Testing

@Suite("The recorder actor carries its lifecycle out against an in-memory engine, on a manual clock")
struct RecorderActorTests {
    let clock = ManualClock()
    let engine = InMemoryContainerEngine()

    func spec(hash tweak: String = "512m", workspace: String) -> Tier2Spec {
        var settings = StationSettings()
        settings.workspacePath = workspace
        settings.recorderMemoryLimit = tweak
        var profile = RecorderProfileConfig(sampleRate: 48_000)
        profile.processedEnabled = false
        return StationSpecs.recorder(device: .init(id: "mic-1", workspaceName: "generic-usb-p1d3", alsaDevice: "hw:1,0"),
                                     profileSlug: "generic_usb", profile: profile, settings: settings)
    }

    func actor() -> RecorderActor<ManualClock> {
        RecorderActor(deviceID: "mic-1", engine: engine, clock: clock, owner: "controller",
                      lifecycle: .init(intensity: RestartIntensity(maxRestarts: 2, within: .seconds(300)),
                                       backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(8), jitter: 0)),
                      logger: Logger(label: "test"))
    }

    func workspace() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("silvasonic-\(UUID().uuidString)").path
    }

    @Test("A wanted recorder is created with its workspace and started; a second actor adopts it untouched")
    func createThenAdopt() async throws {
        let root = workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorder = actor()
        var reports = recorder.reports.makeAsyncIterator()
        await recorder.setDesired(spec(workspace: root))
        guard case .created(let id)? = await reports.next() else { Issue.record("not created"); return }
        #expect(await reports.next() == .started(containerID: id))
        #expect(FileManager.default.fileExists(atPath: root + "/recorder/generic-usb-p1d3"))
        let inspection = try await engine.inspect(id)
        #expect(inspection.running)
        #expect(inspection.labels["io.silvasonic.config_hash"] == spec(workspace: root).configHash)

        let successor = actor()  // a controller restarted after kill -9
        var successorReports = successor.reports.makeAsyncIterator()
        await successor.setDesired(spec(workspace: root))
        #expect(await successorReports.next() == .adopted(containerID: id))
        #expect(try await engine.list(labels: ["io.silvasonic.device_id": "mic-1"], statuses: []).map(\.id) == [id])
    }

    @Test("A crash is restarted after the backoff on the manual clock; past the intensity it is crash-looping, retried at the cap")
    func crashAndCrashLoop() async throws {
        let root = workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorder = actor()
        var (id, reports) = try await startRecorder(recorder, spec(workspace: root))
        for restart in 1...2 {
            try await engine.exit(id, code: 1)
            await recorder.handle(died(id))
            guard case .restarting(_, let count)? = await reports.next() else { Issue.record("no restart"); return }
            #expect(count == restart)
            #expect(try await engine.inspect(id).running == false, "nothing restarts before the backoff")
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(8))
            #expect(await reports.next() == .started(containerID: id))
            #expect(try await engine.inspect(id).running)
        }
        try await engine.exit(id, code: 1)
        await recorder.handle(died(id))
        #expect(await reports.next() == .restarting(after: .seconds(8), restartCount: 3))
        #expect(await reports.next() == .crashLooping(restarts: 3, within: .seconds(300), retryEvery: .seconds(8)))
        guard case .crashLooping = await recorder.state else { Issue.record("not crash-looping"); return }
        #expect(await recorder.status.nextRetry == .seconds(8))
        // Never given up: retried at the cap.
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(8))
        #expect(await reports.next() == .started(containerID: id))
        #expect(try await engine.inspect(id).running)
        // An operator's restart skips the wait of the next round.
        try await engine.exit(id, code: 1)
        await recorder.handle(died(id))
        #expect(await reports.next() == .restarting(after: .seconds(8), restartCount: 4))
        #expect(await recorder.restartRequested())
        #expect(await reports.next() == .started(containerID: id))
        await recorder.shutdown()
    }

    @Test("With the controller's settings, a killed recorder is started again at once, without the clock moving")
    func killedRestartsAtOnce() async throws {
        let root = workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var settings = try ControllerSettings(environment: [:])
        settings.recorderBackoffInitial = .seconds(30)
        let recorder = RecorderActor(deviceID: "mic-1", engine: engine, clock: clock, owner: "controller",
                                     lifecycle: settings.recorderLifecycle(), logger: Logger(label: "test"))
        var (id, reports) = try await startRecorder(recorder, spec(workspace: root))
        try await engine.exit(id, code: 137)
        await recorder.handle(died(id))
        #expect(await reports.next() == .restarting(after: .zero, restartCount: 1))
        #expect(await reports.next() == .started(containerID: id))
        #expect(try await engine.inspect(id).running)
        await recorder.shutdown()
    }

    @Test("A changed spec replaces the container; unwanted, it is stopped and removed")
    func replaceAndStop() async throws {
        let root = workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorder = actor()
        var (first, reports) = try await startRecorder(recorder, spec(workspace: root))
        await recorder.setDesired(spec(hash: "1g", workspace: root))
        #expect(await reports.next() == .stopping(containerID: first, reason: .configDrift))
        guard case .created(let second)? = await reports.next() else { Issue.record("not recreated"); return }
        #expect(second != first)
        let removed = await #expect(throws: PodmanError.self) { try await engine.inspect(first) }
        #expect(removed?.code == .notFound)
        _ = await reports.next()
        await recorder.setDesired(nil, because: .disabled)
        #expect(await reports.next() == .stopping(containerID: second, reason: .unwanted(.disabled)))
        #expect(try await engine.list(labels: ["io.silvasonic.device_id": "mic-1"], statuses: []).isEmpty)
        #expect(await recorder.state == .idle)
        #expect(await recorder.status.lastStop == "disabled")
    }

    @Test("While the engine is down the actor backs off; when it returns the recorder is created")
    func engineOutage() async throws {
        let root = workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        await engine.setReachable(false)
        let recorder = actor()
        var reports = recorder.reports.makeAsyncIterator()
        await recorder.setDesired(spec(workspace: root))
        guard case .engineError? = await reports.next() else { Issue.record("no engine error"); return }
        await engine.setReachable(true)
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(1))
        guard case .created? = await reports.next() else { Issue.record("not created after the outage"); return }
    }
}

/// Sets `spec` as desired and reads the created and started reports; returns the container id
/// and the reports that follow.
func startRecorder(_ recorder: RecorderActor<ManualClock>, _ spec: Tier2Spec) async throws
    -> (id: String, reports: AsyncStream<RecorderLifecycle<ManualClock.Instant>.Report>.Iterator) {
    var reports = recorder.reports.makeAsyncIterator()
    await recorder.setDesired(spec)
    guard case .created(let id)? = await reports.next() else { throw NotStarted() }
    guard case .started? = await reports.next() else { throw NotStarted() }
    return (id, reports)
}

/// The recorder was not created and started as expected.
struct NotStarted: Error {}

/// The `died` event of a container.
func died(_ id: String, code: Int = 1) -> ContainerEvent {
    ContainerEvent(containerID: id, name: "x", action: .died(exitCode: code), time: .init(seconds: 0, nanoseconds: 0))
}
