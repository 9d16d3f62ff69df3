import ControllerCore
import Supervision
import Testing

@Suite("The container child's rules, as pure values")
struct RecorderRulesTests {
    @Test("A running container with the wanted hash is adopted untouched; a stopped one is started, not recreated")
    func adoptOrStart() {
        #expect(RecorderRules.step(for: ExistingContainer(containerID: "a", configHash: "h1", running: true), wantedHash: "h1")
                == .adopt(containerID: "a"))
        #expect(RecorderRules.step(for: ExistingContainer(containerID: "a", configHash: "h1", running: false), wantedHash: "h1")
                == .start(containerID: "a"))
    }

    @Test("A container with another hash (or none) is replaced: stopped and removed before its successor is created")
    func replaceOrCreate() {
        #expect(RecorderRules.step(for: ExistingContainer(containerID: "a", configHash: "h0", running: true), wantedHash: "h1")
                == .replace(containerID: "a"))
        #expect(RecorderRules.step(for: ExistingContainer(containerID: "a", configHash: nil, running: false), wantedHash: "h1")
                == .replace(containerID: "a"))
        #expect(RecorderRules.step(for: nil, wantedHash: "h1") == .create)
    }

    @Test("Only a run the engine started and that died before a stable run is part of the burst before it")
    func burst() {
        #expect(!RecorderRules.countsAsCrash(runStartedByEngine: true, uptime: .seconds(5), stableAfter: .seconds(60)))
        #expect(RecorderRules.countsAsCrash(runStartedByEngine: true, uptime: .seconds(60), stableAfter: .seconds(60)))
        #expect(RecorderRules.countsAsCrash(runStartedByEngine: false, uptime: .zero, stableAfter: .seconds(60)))
    }

    @Test("The policy: rest-for-one, retried at the cap past the intensity (never given up); engine errors on their own capped backoff")
    func policy() throws {
        let policy = RecorderPolicy(backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(300), immediateFirstRestart: true))
        let options = policy.supervisorOptions
        #expect(options.strategy == .restForOne)
        #expect(options.intensityPolicy == .retryAtCap)
        #expect(options.backoff?.immediateFirstRestart == true)
        #expect(policy.engineBackoff.immediateFirstRestart == false, "an unreachable engine is waited for, not hammered")
        #expect(policy.engineBackoff.maximum == .seconds(30))
        #expect(RecorderState.crashLooping.name == "crash_looping")
        // Settings the library would refuse (an initial delay above the maximum) still make a valid policy.
        let odd = RecorderPolicy(backoff: BackoffPolicy(initial: .seconds(600), maximum: .seconds(300), jitter: 3))
        #expect(odd.backoff.initial == .seconds(300) && odd.backoff.jitter == 1)
        _ = try Supervisor(name: "mic", options: odd.supervisorOptions, clock: ContinuousClock())
        #expect(RecorderState.running(containerID: "a").containerID == "a")
    }
}
