import ControllerCore
import Foundation
import InMemoryBackends
import Logging
import SilvasonicController
import SilvasonicIO
import SilvasonicPodman
import SilvasonicRedis
import Supervision
import SupervisionTesting
import Testing

@Suite("A DeviceActor's heartbeat and logs children, on in-memory backends and a manual clock", .timeLimit(.minutes(1)))
struct DeviceCompanionsTests {
    let clock = ManualClock()
    let engine = InMemoryContainerEngine()

    /// A running tree whose recorders are watched through `redis`; restarts after 1 s.
    func tree(redis: InMemoryRedis<ManualClock>,
              intensity: RestartIntensity = RestartIntensity(maxRestarts: 5, within: .seconds(300))) throws -> RunningTree<ManualClock> {
        try RunningTree(engine: engine, clock: clock,
                        policy: RecorderPolicy(intensity: intensity, backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(8), jitter: 0)),
                        companions: CompanionSettings(redis: redis))
    }

    /// Starts mic-1's recorder in `running`; returns its container id and the reports that follow.
    func start(_ running: RunningTree<ManualClock>, _ spec: Tier2Spec) async throws
        -> (id: String, reports: AsyncStream<RecorderReport>.Iterator) {
        let recording = try await running.record(spec)
        return (recording.containerID, recording.reports)
    }

    func spec() -> Tier2Spec {
        var settings = StationSettings()
        settings.workspacePath = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        return StationSpecs.recorder(device: .init(id: "mic-1", workspaceName: "generic-usb-c001", alsaDevice: nil),
                                     profileSlug: "generic_usb", profile: RecorderProfileConfig(sampleRate: 48_000),
                                     settings: settings)
    }

    @Test("Each log line of the running container is published on silvasonic:logs in the contract's JSON")
    func logs() async throws {
        let redis = InMemoryRedis(clock: clock)
        var messages = redis.subscribe(to: [LogForwarding.channel]).makeAsyncIterator()
        #expect(await messages.next() == .subscribed)
        let recorder = try tree(redis: redis)
        let (id, _) = try await start(recorder, spec())
        await engine.waitForLogFollowers(id)
        try await engine.log(id, #"{"event": "segment written", "level": "info", "timestamp": "2026-02-23T03:15:42Z"}"#)
        guard case .element(let message) = await messages.next() else { Issue.record("nothing published"); return }
        #expect(message.text == #"{"service": "recorder", "instance_id": "mic-1", "container_name": "silvasonic-recorder-generic-usb-c001", "level": "info", "message": "segment written", "timestamp": "2026-02-23T03:15:42Z"}"#)
        await recorder.stop()
    }

    @Test("A heartbeat that never comes, past the grace and three checks, with no segment written, restarts the recorder")
    func lostHeartbeat() async throws {
        let redis = InMemoryRedis(clock: clock)
        let recorder = try tree(redis: redis)
        var (first, reports) = try await start(recorder, spec())
        // Grace (60 s), three misses, and its (empty) workspace watched for three segment durations.
        for _ in 0..<9 {
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(10))
        }
        guard case .stopping(_, .heartbeatLost)? = await reports.next() else { Issue.record("not stopped for its heartbeat"); return }
        #expect(await reports.next() == .restarting(after: .seconds(1), restartCount: 1))
        let gone = await #expect(throws: PodmanError.self) { try await engine.inspect(first) }
        #expect(gone?.code == .notFound)
        await recorder.stop()
    }

    @Test("A recorder that keeps beating, even reporting errors, is never restarted")
    func beatingRecorder() async throws {
        let redis = InMemoryRedis(clock: clock)
        let recorder = try tree(redis: redis)
        let (id, _) = try await start(recorder, spec())
        for beat in 0..<20 {
            try await redis.set("silvasonic:status:mic-1", #"{"timestamp": \#(beat), "health": {"status": "error"}}"#, expiresInSeconds: 30)
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(10))
        }
        await clock.waitForSleepers(atLeast: 1)
        #expect(try await engine.inspect(id).running)
        #expect(try await recorder.actor("mic-1").status().state == .running(containerID: id))
        // `status` dates its last heartbeat by the recorder's own timestamp.
        #expect(try await recorder.actor("mic-1").status().lastHeartbeat == 19)
        await recorder.stop()
    }

    @Test("Until the recorder beats, the controller speaks for it (marked, never mistaken for a heartbeat); then never over it")
    func statusOnBehalf() async throws {
        let redis = InMemoryRedis(clock: clock)
        var statuses = redis.subscribe(to: ["silvasonic:status"]).makeAsyncIterator()
        #expect(await statuses.next() == .subscribed)
        let recorder = try tree(redis: redis)
        let (id, _) = try await start(recorder, spec())
        guard case .element(let first) = await statuses.next() else { Issue.record("no status"); return }
        let proxy = try JSONDecoder().decode(JSONValue.self, from: Data(first.payload))
        #expect(proxy["instance_id"] == "mic-1")
        #expect(proxy["activity"] == "starting")
        #expect(proxy["meta"]?["reported_by"] == "controller")
        #expect(proxy["meta"]?["container_id"] == .string(id))
        #expect(try await redis.get("silvasonic:status:mic-1") == first.text)

        // The recorder speaks: from then on its value stays, whatever the controller sees.
        let own = #"{"timestamp": 1, "health": {"status": "ok"}, "instance_id": "mic-1"}"#
        try await redis.set("silvasonic:status:mic-1", own, expiresInSeconds: 300)
        for _ in 0..<3 {
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(10))
        }
        await clock.waitForSleepers(atLeast: 1)
        #expect(try await redis.get("silvasonic:status:mic-1") == own)
        await recorder.stop()
    }

    @Test("Only the controller's own status in the key, past the grace, and no segment written: the recorder is judged lost all the same")
    func proxyIsNoHeartbeat() async throws {
        let redis = InMemoryRedis(clock: clock)
        let recorder = try tree(redis: redis)
        var (_, reports) = try await start(recorder, spec())
        // Grace (60 s), three misses, and an empty workspace watched for three segment durations.
        for step in 1...9 {
            await clock.waitForSleepers(atLeast: 1)
            if step == 7 {
                // Past the grace, the key still holds the controller's last status: it does not count.
                #expect(RecorderStatusProxy.isProxy(try await redis.get("silvasonic:status:mic-1").flatMap {
                    try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
                }))
            }
            clock.advance(by: .seconds(10))
        }
        guard case .stopping(_, .heartbeatLost)? = await reports.next() else { Issue.record("not stopped for its heartbeat"); return }
        #expect(await reports.next() == .restarting(after: .seconds(1), restartCount: 1))
        await recorder.stop()
    }

    @Test("No heartbeat but segments written: degraded and left running; once the segments stop too, restarted")
    func writesWithoutBeating() async throws {
        let redis = InMemoryRedis(clock: clock)
        let recorder = try tree(redis: redis)
        let spec = spec()
        var (_, reports) = try await start(recorder, spec)
        let workspace = try #require(spec.mounts.first { !$0.readOnly }?.source)
        // Ten minutes without a heartbeat, a segment every ten seconds (the profile's length).
        for step in 1...60 {
            await clock.waitForSleepers(atLeast: 1)
            #expect(FileManager.default.createFile(atPath: workspace + "/segment-\(step).raw", contents: Data(count: 16)))
            clock.advance(by: .seconds(10))
        }
        await clock.waitForSleepers(atLeast: 1)
        let watched = try await recorder.actor("mic-1").status()
        #expect(watched.restarts == 0)
        #expect(watched.children.map(\.id) == ["container", "heartbeat", "logs"])
        guard case .running = watched.state else { Issue.record("not running: \(watched.state)"); return }
        let status = try #require(try await redis.get("silvasonic:status:mic-1").flatMap {
            try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
        })
        #expect(status["activity"] == "recording" && RecorderStatusProxy.isProxy(status))
        // The segments stop: after three segment durations without one, it is restarted.
        for _ in 1...3 {
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(10))
        }
        guard case .stopping(_, .heartbeatLost)? = await reports.next() else { Issue.record("not stopped for its heartbeat"); return }
        #expect(await reports.next() == .restarting(after: .seconds(1), restartCount: 1))
        await recorder.stop()
        try? FileManager.default.removeItem(atPath: workspace)
    }

    @Test("A crash-looping device says so in its status: error, not live, how it is retried")
    func crashLoopStatus() async throws {
        let redis = InMemoryRedis(clock: clock)
        let recorder = try RunningTree(engine: engine, clock: clock,
                                       policy: RecorderPolicy(intensity: RestartIntensity(maxRestarts: 0, within: .seconds(300))),
                                       companions: CompanionSettings(redis: redis))
        var (id, reports) = try await start(recorder, spec())
        var statuses = redis.subscribe(to: ["silvasonic:status"]).makeAsyncIterator()
        #expect(await statuses.next() == .subscribed)
        try await engine.kill(id, signal: "KILL")
        // The default policy: past the intensity, labelled; the first restart still at once.
        #expect(await reports.next() == .crashLooping(restarts: 1, within: .seconds(300), longestWait: .seconds(60)))
        #expect(await reports.next() == .restarting(after: .zero, restartCount: 1))
        var looping: JSONValue?
        while looping == nil, case .element(let message)? = await statuses.next() {
            let status = try JSONDecoder().decode(JSONValue.self, from: Data(message.payload))
            if status["activity"] == "crash_looping" { looping = status }
        }
        #expect(looping?["health"]?["status"] == "error")
        #expect(looping?["health"]?["live"] == .bool(false))
        let details = looping?["health"]?["components"]?["container"]?["details"]?.stringValue ?? ""
        #expect(details.contains("crash-looping: 1 restarts") && details.contains("waits growing to 60"))
        #expect(RecorderStatusProxy.isProxy(looping))
        await recorder.stop()
    }
}
