import ControllerCore
import Supervision
import Testing

@Suite("DeviceMachine: a device's decisions as a pure value, read as timelines")
struct DeviceMachineTests {
    static let engineBackoff = RecorderPolicy().engineBackoff

    static func spec(memory: String = "512m") -> Tier2Spec {
        var settings = StationSettings()
        settings.workspacePath = "/tmp/machine"
        settings.recorderMemoryLimit = memory
        return StationSpecs.recorder(device: .init(id: "mic-1", workspaceName: "generic-usb-mic-1", alsaDevice: "hw:1,0"),
                                     profileSlug: "generic_usb", profile: RecorderProfileConfig(sampleRate: 48_000),
                                     settings: settings)
    }

    /// A machine whose container child brought `id` up (started by the controller) and runs it.
    static func running(_ id: String = "c1", startedByController: Bool = true) -> DeviceMachine {
        var machine = DeviceMachine()
        _ = machine.desire(spec())
        _ = machine.runBegan()
        _ = machine.watching(id, startedByController: startedByController)
        _ = machine.running(id, crashLooping: false)
        return machine
    }

    @Test("The first desire is read by the first run; a changed one starts the children over; the same one again changes nothing")
    func desire() {
        var machine = DeviceMachine()
        #expect(machine.desire(Self.spec()) == [], "read when the container child first starts")
        #expect(machine.isWanted)
        #expect(machine.desire(Self.spec()) == [], "the same desire: a crash-looping recorder keeps its wait")
        #expect(machine.desire(Self.spec(memory: "1g")) == [.restartChildren])
        #expect(machine.desire(nil, because: .disabled) == [.restartChildren])
        #expect(!machine.isWanted && machine.idleReason == .disabled)
        #expect(machine.desire(nil, because: .offline) == [], "still none: nothing to redo")
        #expect(machine.idleReason == .offline)
    }

    @Test("Running: Podman's retry of a crash is its business (a grace timer while it decides); a death it leaves ends the run as a crash")
    func podmansRetriesThenACrash() {
        var machine = Self.running()
        #expect(machine.containerEvent("c1", .died(exitCode: 3)) == [.startGraceTimer(containerID: "c1")])
        #expect(machine.containerEvent("c1", .engineRestarting) == [.startGraceTimer(containerID: "c1")])
        #expect(machine.containerEvent("c1", .started) == [.cancelGraceTimer])
        #expect(machine.phase == .running(containerID: "c1"), "no crash: the wait goes on")
        #expect(machine.containerEvent("c1", .died(exitCode: 3)) == [.startGraceTimer(containerID: "c1")])
        #expect(machine.containerEvent("c1", .cleanedUp) == [.cancelGraceTimer, .endRun(.died(containerID: "c1", exitCode: 3))])
        #expect(machine.runEnded() == [.cancelGraceTimer, .cancelStableTimer])
        #expect(machine.phase == .down)
    }

    @Test("A kill through the API ends the run at its death; another container's events change nothing")
    func killAndStrangers() {
        var machine = Self.running()
        #expect(machine.containerEvent("other", .died(exitCode: 1)) == [])
        #expect(machine.containerEvent("c1", .stopRequested) == [.cancelGraceTimer])
        #expect(machine.containerEvent("c1", .died(exitCode: 137)) == [.cancelGraceTimer, .endRun(.died(containerID: "c1", exitCode: 137))])
    }

    @Test("Events lost: after the grace the container is looked at; not running, the run ends")
    func graceElapsed() {
        var machine = Self.running()
        _ = machine.containerEvent("c1", .died(exitCode: 2))
        #expect(machine.graceElapsed(containerID: "c1", running: false) == [.cancelGraceTimer, .endRun(.died(containerID: "c1", exitCode: 2))])
        var other = Self.running()
        _ = other.containerEvent("c1", .died(exitCode: 2))
        #expect(other.graceElapsed(containerID: "c1", running: true) == [.cancelGraceTimer], "Podman restarted it quietly")
    }

    @Test("A lost heartbeat ends the run of the watched container only")
    func heartbeat() {
        var machine = Self.running()
        #expect(machine.heartbeatLost(containerID: "old") == [])
        #expect(machine.heartbeatLost(containerID: "c1") == [.cancelGraceTimer, .endRun(.heartbeatLost(containerID: "c1"))])
    }

    @Test("A crash-looping recorder that runs waits for a stable run; its end is a recovery, once, while it runs")
    func stableRun() {
        var machine = DeviceMachine()
        _ = machine.desire(Self.spec())
        _ = machine.runBegan()
        _ = machine.watching("c1", startedByController: true)
        #expect(machine.running("c1", crashLooping: true) == [.startStableTimer])
        #expect(machine.stableRunElapsed() == [.recovered])
        _ = machine.runEnded()
        #expect(machine.stableRunElapsed() == [], "a late timer after the run ended says nothing")
    }

    @Test("Engine errors are waited out on the engine's backoff, counted until a container runs, never a crash; its reconnect ends the wait")
    func engineErrors() {
        var machine = DeviceMachine()
        _ = machine.desire(Self.spec())
        _ = machine.runBegan()
        #expect(machine.engineFailed(backoff: Self.engineBackoff) == .seconds(1))
        #expect(machine.waitingForEngine)
        machine.engineWaitOver()
        #expect(machine.engineFailed(backoff: Self.engineBackoff) == .seconds(2), "the second failure in a row waits longer")
        #expect(machine.engineReconnected() == [.restartChildren], "Podman is back: tried now")
        _ = machine.runEnded()
        _ = machine.runBegan()
        #expect(machine.engineFailed(backoff: Self.engineBackoff) == .seconds(1), "a new run counts afresh")
        machine.engineWaitOver()
        _ = machine.watching("c1", startedByController: true)
        _ = machine.running("c1", crashLooping: false)
        #expect(machine.engineFailed(backoff: Self.engineBackoff) == .seconds(1), "a container ran: the count started over")
    }

    @Test("The engine's reconnect makes a running or starting device look again, never a crash's backoff or an idle one")
    func reconnect() {
        var running = Self.running()
        #expect(running.engineReconnected() == [.restartChildren])
        _ = running.runEnded()
        #expect(running.engineReconnected() == [], "a crash's backoff is kept")
        var idle = DeviceMachine()
        _ = idle.desire(nil, because: .offline)
        _ = idle.runBegan()
        idle.idled()
        #expect(idle.engineReconnected() == [])
    }

    @Test("An operator's restart: a running container is replaced; one waiting (a crash's backoff, the engine) is tried now; an unwanted one has nothing to restart")
    func operatorRestart() {
        var running = Self.running()
        #expect(running.restartRequested() == [.restartContainer(containerID: "c1")])
        _ = running.runEnded()
        #expect(running.restartRequested() == [.restartChildren])
        var unwanted = DeviceMachine()
        _ = unwanted.desire(nil, because: .disabled)
        #expect(unwanted.restartRequested() == nil)
    }

    @Test("An adopted container's deaths wait for Podman's word; a run begun anew forgets the old container")
    func adopted() {
        var machine = Self.running("c1", startedByController: false)
        #expect(machine.containerEvent("c1", .died(exitCode: 1)) == [.startGraceTimer(containerID: "c1")])
        #expect(machine.runBegan() == [.cancelGraceTimer, .cancelStableTimer])
        #expect(machine.containerEvent("c1", .cleanedUp) == [], "not watched in this run")
    }
}
