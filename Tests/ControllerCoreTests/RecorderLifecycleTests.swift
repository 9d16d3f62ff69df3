import ControllerCore
import Supervision
import SupervisionTesting
import Testing

@Suite("The recorder's lifecycle, every transition on a manual clock")
struct RecorderLifecycleTests {
    typealias Lifecycle = RecorderLifecycle<ManualClock.Instant>
    let clock = ManualClock()
    let backoff = BackoffPolicy(initial: .seconds(1), multiplier: 2, maximum: .seconds(8), jitter: 0, resetAfter: .seconds(60))

    func lifecycle(maxRestarts: Int = 3) -> Lifecycle {
        Lifecycle(intensity: RestartIntensity(maxRestarts: maxRestarts, within: .seconds(300)), backoff: backoff)
    }

    var now: ManualClock.Instant { clock.now }

    /// Brings a lifecycle to running container `id` with hash `h`.
    func running(_ machine: inout Lifecycle, id: String = "c1") {
        _ = machine.desired("h", now: now)
        _ = machine.found(nil, now: now)
        _ = machine.created(containerID: id, now: now)
        _ = machine.started(containerID: id, now: now)
    }

    @Test("A running container with the wanted hash is adopted untouched")
    func adopt() {
        var machine = lifecycle()
        #expect(machine.desired("h", now: now) == [.inspect])
        #expect(machine.found(.init(containerID: "py-1", configHash: "h", running: true), now: now) == [.report(.adopted(containerID: "py-1"))])
        #expect(machine.state == .running(containerID: "py-1", since: now))
    }

    @Test("A stopped container with the wanted hash is started again, not recreated")
    func startExisting() {
        var machine = lifecycle()
        _ = machine.desired("h", now: now)
        #expect(machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now) == [.start(containerID: "c1")])
        #expect(machine.started(containerID: "c1", now: now) == [.report(.started(containerID: "c1"))])
    }

    @Test("A container with another hash is stopped and removed before its replacement is created")
    func replaceOutdated() {
        var machine = lifecycle()
        _ = machine.desired("new", now: now)
        #expect(machine.found(.init(containerID: "old", configHash: "stale", running: true), now: now) == [.stopAndRemove(containerID: "old", reason: .configDrift)])
        #expect(machine.stopped(now: now) == [.create])
        #expect(machine.created(containerID: "c2", now: now) == [.report(.created(containerID: "c2")), .start(containerID: "c2")])
        #expect(machine.started(containerID: "c2", now: now) == [.report(.started(containerID: "c2"))])
    }

    @Test("A changed spec while running replaces the container; an unwanted one is stopped and left")
    func changeAndStop() {
        var machine = lifecycle()
        running(&machine)
        #expect(machine.desired("h", now: now).isEmpty, "the same desire again changes nothing")
        #expect(machine.desired("h2", now: now) == [.stopAndRemove(containerID: "c1", reason: .configDrift)])
        #expect(machine.stopped(now: now) == [.create])
        _ = machine.created(containerID: "c2", now: now)
        _ = machine.started(containerID: "c2", now: now)
        #expect(machine.desired(nil, because: .disabled, now: now) == [.stopAndRemove(containerID: "c2", reason: .unwanted(.disabled))])
        #expect(machine.stopped(now: now).isEmpty)
        #expect(machine.state == .idle)
    }

    @Test("A crash backs off before the restart; the timer inspects, then starts the same container")
    func crashBackoff() {
        var machine = lifecycle()
        running(&machine)
        clock.advance(by: .seconds(5))
        let until = now.advanced(by: .seconds(1))
        #expect(machine.died(containerID: "c1", exitCode: 1, now: now)
            == [.report(.restarting(after: .seconds(1), restartCount: 1)), .scheduleTimer(at: until)])
        #expect(machine.timerFired(now: now).isEmpty, "an early timer does nothing")
        clock.advance(by: .seconds(1))
        #expect(machine.timerFired(now: now) == [.inspect])
        #expect(machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now) == [.start(containerID: "c1")])
        #expect(machine.started(containerID: "c1", now: now) == [.report(.started(containerID: "c1"))])
    }

    @Test("Podman's own restart during the backoff is adopted, not fought")
    func podmanRestartsFirst() {
        var machine = lifecycle()
        running(&machine)
        _ = machine.died(containerID: "c1", exitCode: 1, now: now)
        #expect(machine.started(containerID: "c1", now: now) == [.cancelTimer, .report(.started(containerID: "c1"))])
        #expect(machine.state == .running(containerID: "c1", since: now))
    }

    @Test("A container that crashes at once: its events come before our start call returns; it backs off, never 'running'")
    func crashAtOnce() {
        var machine = lifecycle()
        _ = machine.desired("h", now: now)
        _ = machine.found(nil, now: now)
        #expect(machine.created(containerID: "c1", now: now) == [.report(.created(containerID: "c1")), .start(containerID: "c1")])
        // Podman's `start` and `died` events, taken while the start call was in flight.
        _ = machine.started(containerID: "c1", now: now)
        #expect(machine.died(containerID: "c1", exitCode: 1, now: now).contains(.scheduleTimer(at: now.advanced(by: .seconds(1)))))
        #expect(machine.startReturned(containerID: "c1", now: now).isEmpty, "the call's return is old news")
        #expect(machine.state == .backingOff(containerID: "c1", until: now.advanced(by: .seconds(1))))
        #expect(machine.restartCount == 1)
    }

    @Test("A `died` while our start is in flight (its `start` event not seen) is a crash too; our start returning then changes nothing")
    func diedWhileStarting() {
        var machine = lifecycle()
        _ = machine.desired("h", now: now)
        _ = machine.found(nil, now: now)
        _ = machine.created(containerID: "c1", now: now)
        #expect(machine.died(containerID: "c1", exitCode: 1, now: now)
            == [.report(.restarting(after: .seconds(1), restartCount: 1)), .scheduleTimer(at: now.advanced(by: .seconds(1)))])
        #expect(machine.startReturned(containerID: "c1", now: now).isEmpty)
        #expect(machine.state == .backingOff(containerID: "c1", until: now.advanced(by: .seconds(1))))
        // Without events in between, our start returning is what makes it running.
        var plain = lifecycle()
        _ = plain.desired("h", now: now)
        _ = plain.found(nil, now: now)
        _ = plain.created(containerID: "c1", now: now)
        #expect(plain.startReturned(containerID: "c1", now: now) == [.report(.started(containerID: "c1"))])
    }

    @Test("Consecutive crashes back off exponentially; a stable run resets the delay")
    func backoffGrowsAndResets() {
        var machine = lifecycle(maxRestarts: 10)
        running(&machine)
        var delays: [Duration] = []
        for _ in 0..<4 {
            let commands = machine.died(containerID: "c1", exitCode: 1, now: now)
            guard case .report(.restarting(let delay, _)) = commands.first else { Issue.record("no restart"); return }
            delays.append(delay)
            clock.advance(by: delay)
            _ = machine.timerFired(now: now)
            _ = machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now)
            _ = machine.started(containerID: "c1", now: now)
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        clock.advance(by: .seconds(61))
        guard case .report(.restarting(let afterStableRun, _)) = machine.died(containerID: "c1", exitCode: 1, now: now).first else {
            Issue.record("no restart"); return
        }
        #expect(afterStableRun == .seconds(1))
    }

    @Test("Past the restart intensity the recorder is crash-looping: retried at the cap, never given up; a stable run recovers it")
    func crashLoopNeverGivesUp() {
        var machine = lifecycle(maxRestarts: 2)
        running(&machine)
        for _ in 0..<2 {
            _ = machine.died(containerID: "c1", exitCode: 1, now: now)
            _ = machine.timerFired(now: now.advanced(by: .seconds(60)))
            _ = machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now)
            _ = machine.startReturned(containerID: "c1", now: now)
        }
        let cap = now.advanced(by: .seconds(8))
        #expect(machine.died(containerID: "c1", exitCode: 1, now: now) == [
            .report(.restarting(after: .seconds(8), restartCount: 3)),
            .report(.crashLooping(restarts: 3, within: .seconds(300), retryEvery: .seconds(8))),
            .scheduleTimer(at: cap),
        ])
        #expect(machine.state == .crashLooping(containerID: "c1", until: cap))
        #expect(machine.isCrashLooping)
        // Retried at the cap, again and again.
        for round in 4...6 {
            clock.advance(by: .seconds(8))
            #expect(machine.timerFired(now: now) == [.inspect])
            #expect(machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now) == [.start(containerID: "c1")])
            #expect(machine.startReturned(containerID: "c1", now: now)
                == [.report(.started(containerID: "c1")), .scheduleTimer(at: now.advanced(by: .seconds(60)))])
            clock.advance(by: .seconds(1))
            #expect(machine.died(containerID: "c1", exitCode: 1, now: now) == [
                .cancelTimer, .report(.restarting(after: .seconds(8), restartCount: round)), .scheduleTimer(at: now.advanced(by: .seconds(8))),
            ], "one report of the crash loop, not one per retry")
        }
        // The fault clears: the next retry runs, and after a stable run it has recovered.
        clock.advance(by: .seconds(8))
        _ = machine.timerFired(now: now)
        _ = machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now)
        _ = machine.startReturned(containerID: "c1", now: now)
        #expect(machine.timerFired(now: now.advanced(by: .seconds(59))).isEmpty, "not stable yet")
        clock.advance(by: .seconds(60))
        #expect(machine.timerFired(now: now) == [.report(.recovered(restarts: 6))])
        #expect(!machine.isCrashLooping)
        #expect(machine.restartCount == 0)
        #expect(machine.state == .running(containerID: "c1", since: now.advanced(by: .seconds(-60))))
    }

    @Test("A crash-looping recorder that ran stably dies before its stable-run timer fired: the loop is over all the same")
    func stableRunBeforeTimer() {
        var machine = lifecycle(maxRestarts: 1)
        running(&machine)
        _ = machine.died(containerID: "c1", exitCode: 1, now: now)
        clock.advance(by: .seconds(1))
        _ = machine.timerFired(now: now)
        _ = machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now)
        _ = machine.startReturned(containerID: "c1", now: now)
        _ = machine.died(containerID: "c1", exitCode: 1, now: now)
        #expect(machine.isCrashLooping)
        clock.advance(by: .seconds(8))
        _ = machine.timerFired(now: now)
        _ = machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now)
        _ = machine.startReturned(containerID: "c1", now: now)
        clock.advance(by: .seconds(61))
        let commands = machine.died(containerID: "c1", exitCode: 1, now: now)
        #expect(commands.contains(.report(.restarting(after: .seconds(1), restartCount: 3))), "backoff from the start: \(commands)")
        #expect(!machine.isCrashLooping, "one crash after a stable run is not a loop")
    }

    @Test("With the controller's policy the first restart is immediate: looked up and started at once; the second backs off")
    func immediateFirstRestart() {
        var policy = backoff
        policy.immediateFirstRestart = true
        var machine = Lifecycle(intensity: RestartIntensity(maxRestarts: 5, within: .seconds(300)), backoff: policy)
        running(&machine)
        clock.advance(by: .seconds(5))
        #expect(machine.died(containerID: "c1", exitCode: 137, now: now) == [.report(.restarting(after: .zero, restartCount: 1)), .inspect])
        #expect(machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now) == [.start(containerID: "c1")])
        #expect(machine.startReturned(containerID: "c1", now: now) == [.report(.started(containerID: "c1"))])
        clock.advance(by: .seconds(1))
        #expect(machine.died(containerID: "c1", exitCode: 1, now: now)
            == [.report(.restarting(after: .seconds(1), restartCount: 2)), .scheduleTimer(at: now.advanced(by: .seconds(1)))])
        // A stable run later, the next single crash is restarted at once again.
        clock.advance(by: .seconds(1))
        _ = machine.timerFired(now: now)
        _ = machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now)
        _ = machine.startReturned(containerID: "c1", now: now)
        clock.advance(by: .seconds(60))
        #expect(machine.died(containerID: "c1", exitCode: 1, now: now).first == .report(.restarting(after: .zero, restartCount: 3)))
    }

    @Test("A burst of Podman's own on-failure restarts counts as one crash")
    func podmanBurstCountsOnce() {
        var policy = backoff
        policy.immediateFirstRestart = true
        var machine = Lifecycle(intensity: RestartIntensity(maxRestarts: 2, within: .seconds(300)), backoff: policy)
        running(&machine)
        #expect(machine.died(containerID: "c1", exitCode: 3, now: now) == [.report(.restarting(after: .zero, restartCount: 1)), .inspect])
        // Podman restarted it before we looked: adopted, and its deaths join the same burst.
        for _ in 0..<5 {
            #expect(machine.found(.init(containerID: "c1", configHash: "h", running: true), now: now) == [.report(.adopted(containerID: "c1"))])
            #expect(machine.died(containerID: "c1", exitCode: 3, now: now) == [.inspect], "not counted again")
        }
        #expect(machine.restartCount == 1)
        #expect(!machine.isCrashLooping)
        // Podman's retries are spent: our own start counts again.
        #expect(machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now) == [.start(containerID: "c1")])
        _ = machine.startReturned(containerID: "c1", now: now)
        #expect(machine.died(containerID: "c1", exitCode: 3, now: now).first == .report(.restarting(after: .seconds(1), restartCount: 2)))
        // A Podman restart during that backoff is adopted; dying again, it keeps the same delay.
        #expect(machine.started(containerID: "c1", now: now) == [.cancelTimer, .report(.started(containerID: "c1"))])
        #expect(machine.died(containerID: "c1", exitCode: 3, now: now) == [.scheduleTimer(at: now.advanced(by: .seconds(1)))])
        #expect(machine.restartCount == 2)
    }

    @Test("An operator's restart skips the crash loop's wait; a changed spec is tried at once with a fresh history")
    func skipTheWait() {
        var machine = lifecycle(maxRestarts: 0)
        running(&machine)
        _ = machine.died(containerID: "c1", exitCode: 1, now: now)
        #expect(machine.isCrashLooping)
        #expect(machine.restartRequested(now: now) == [.cancelTimer, .inspect])
        #expect(machine.isCrashLooping, "a restart is not a reset: it still has to run stably")
        #expect(machine.found(.init(containerID: "c1", configHash: "h", running: false), now: now) == [.start(containerID: "c1")])
        _ = machine.startReturned(containerID: "c1", now: now)
        _ = machine.died(containerID: "c1", exitCode: 1, now: now)
        #expect(machine.desired("h", now: now).isEmpty, "the same spec waits")
        #expect(machine.desired("h2", now: now) == [.cancelTimer, .inspect])
        #expect(!machine.isCrashLooping)
        #expect(machine.restartCount == 0)
    }

    @Test("An operator's reset starts a crash-looping recorder afresh")
    func operatorReset() {
        var machine = lifecycle(maxRestarts: 0)
        running(&machine)
        _ = machine.died(containerID: "c1", exitCode: 1, now: now)
        #expect(machine.reset(now: now) == [.cancelTimer, .inspect])
        #expect(machine.restartCount == 0)
    }

    @Test("A lost heartbeat stops the container, waits the backoff and creates it anew")
    func heartbeatLoss() {
        var machine = lifecycle()
        running(&machine)
        #expect(machine.heartbeatLost(now: now) == [.stopAndRemove(containerID: "c1", reason: .heartbeatLost)])
        let until = now.advanced(by: .seconds(1))
        #expect(machine.stopped(now: now) == [.report(.restarting(after: .seconds(1), restartCount: 1)), .scheduleTimer(at: until)])
        clock.advance(by: .seconds(1))
        #expect(machine.timerFired(now: now) == [.inspect])
        #expect(machine.found(nil, now: now) == [.create])
    }

    @Test("Engine errors retry on the backoff and never count as the recorder's crashes")
    func engineErrors() {
        var machine = lifecycle(maxRestarts: 0)
        _ = machine.desired("h", now: now)
        _ = machine.found(nil, now: now)
        for attempt in 1...6 {
            let commands = machine.engineFailed("podman unreachable", now: now)
            guard case .scheduleTimer(let at) = commands.last else { Issue.record("no retry"); return }
            #expect(now.duration(to: at) == backoff.delay(forAttempt: attempt, randomUnit: 0.5))
            clock.advance(to: at)
            #expect(machine.timerFired(now: now) == [.inspect])
            #expect(machine.found(nil, now: now) == [.create])
        }
        #expect(machine.restartCount == 0)
        #expect(machine.created(containerID: "c1", now: now).last == .start(containerID: "c1"))
    }

    @Test("After the engine reconnects, a running recorder is looked up again and adopted")
    func reconnect() {
        var machine = lifecycle()
        running(&machine)
        #expect(machine.engineReconnected(now: now) == [.inspect])
        #expect(machine.found(.init(containerID: "c1", configHash: "h", running: true), now: now) == [.report(.adopted(containerID: "c1"))])
    }

    @Test("Unwanted while backing off: the timer is cancelled and the exited container removed")
    func unwantedDuringBackoff() {
        var machine = lifecycle()
        running(&machine)
        _ = machine.died(containerID: "c1", exitCode: 1, now: now)
        #expect(machine.desired(nil, because: .ignored, now: now) == [.cancelTimer, .stopAndRemove(containerID: "c1", reason: .unwanted(.ignored))])
        #expect(machine.stopped(now: now).isEmpty)
        #expect(machine.state == .idle)
    }

    @Test("Unwanted from the start, the engine is still asked once, and a leftover container is stopped")
    func leftoverWhenUnwanted() {
        var machine = lifecycle()
        #expect(machine.desired(nil, because: .pending, now: now) == [.inspect])
        #expect(machine.found(.init(containerID: "old", configHash: "h", running: true), now: now)
            == [.stopAndRemove(containerID: "old", reason: .unwanted(.pending))])
        #expect(machine.stopped(now: now).isEmpty)
        #expect(machine.desired(nil, now: now).isEmpty, "asked once is enough")
    }
}
