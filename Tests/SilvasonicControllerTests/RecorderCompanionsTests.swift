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

@Suite("A running recorder's heartbeat watch and log forwarding, on in-memory backends and a manual clock")
struct RecorderCompanionsTests {
    let clock = ManualClock()
    let engine = InMemoryContainerEngine()

    func make(redis: InMemoryRedis<ManualClock>) -> RecorderActor<ManualClock> {
        RecorderActor(deviceID: "mic-1", engine: engine, clock: clock, owner: "controller",
                      lifecycle: .init(backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(8), jitter: 0)),
                      logger: Logger(label: "test"), companions: CompanionSettings(redis: redis))
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
        let recorder = make(redis: redis)
        let (id, _) = try await startRecorder(recorder, spec())
        await engine.waitForLogFollowers(id)
        try await engine.log(id, #"{"event": "segment written", "level": "info", "timestamp": "2026-02-23T03:15:42Z"}"#)
        guard case .element(let message) = await messages.next() else { Issue.record("nothing published"); return }
        #expect(message.text == #"{"service": "recorder", "instance_id": "mic-1", "container_name": "silvasonic-recorder-generic-usb-c001", "level": "info", "message": "segment written", "timestamp": "2026-02-23T03:15:42Z"}"#)
        await recorder.shutdown()
    }

    @Test("A heartbeat that never comes, past the grace and three checks, restarts the recorder")
    func lostHeartbeat() async throws {
        let redis = InMemoryRedis(clock: clock)
        let recorder = make(redis: redis)
        var (first, reports) = try await startRecorder(recorder, spec())
        for _ in 0..<8 {
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(10))
        }
        #expect(await reports.next() == .restarting(after: .seconds(1), restartCount: 1))
        let gone = await #expect(throws: PodmanError.self) { try await engine.inspect(first) }
        #expect(gone?.code == .notFound)
        await recorder.shutdown()
    }

    @Test("A recorder that keeps beating, even reporting errors, is never restarted")
    func beatingRecorder() async throws {
        let redis = InMemoryRedis(clock: clock)
        let recorder = make(redis: redis)
        let (id, _) = try await startRecorder(recorder, spec())
        for beat in 0..<20 {
            try await redis.set("silvasonic:status:mic-1", #"{"timestamp": \#(beat), "health": {"status": "error"}}"#, expiresInSeconds: 30)
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(10))
        }
        await clock.waitForSleepers(atLeast: 1)
        #expect(try await engine.inspect(id).running)
        #expect(await recorder.state == .running(containerID: id, since: clock.now.advanced(by: .seconds(-200))))
        await recorder.shutdown()
    }
}
