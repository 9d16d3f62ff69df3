import Supervision
import SupervisionTesting
import Testing

@Suite("Restart intensity and escalation")
struct IntensityTests {
    @Test("At the limit the supervisor keeps restarting; one past it, it stops all and fails")
    func giveUp() async throws {
        let worker = ChildControl("worker")
        let bystander = ChildControl("bystander")
        var harness = try Harness(
            options: .init(intensity: RestartIntensity(maxRestarts: 2, within: .seconds(10))),
            children: [bystander.spec(), worker.spec()])
        await harness.waitForStarts(["bystander", "worker"])
        for _ in 0..<2 {
            worker.fail()
            await harness.events.until(.started, "worker")
        }
        worker.fail()
        let seen = await harness.events.until(.escalated, nil)
        #expect(seen.map(\.short) == ["worker:failed", "worker:gaveUp", "bystander:stopped", "sup:escalated"])
        let result = await harness.runTask.result
        let error = try #require(result.failure as? SupervisorError)
        #expect(error.code == .restartIntensityExceeded)
        #expect(error.child == "worker")
        #expect(bystander.running == 0)
    }

    @Test("retryAtCap: past the intensity the child is crash-looping, restarted every backoff.maximum, never given up; a stable run ends the loop")
    func retryAtCap() async throws {
        let worker = ChildControl("worker")
        let bystander = ChildControl("bystander")
        let backoff = BackoffPolicy(initial: .seconds(1), multiplier: 2, maximum: .seconds(8), jitter: 0, resetAfter: .seconds(60),
                                    immediateFirstRestart: true)
        var harness = try Harness(
            options: .init(intensity: RestartIntensity(maxRestarts: 2, within: .seconds(300)), backoff: backoff,
                           intensityPolicy: .retryAtCap),
            children: [bystander.spec(), worker.spec()])
        await harness.waitForStarts(["bystander", "worker"])
        // Within the intensity: at once, then the initial delay.
        worker.fail()
        await harness.events.until(.restartScheduled(after: .zero), "worker")
        await harness.events.until(.started, "worker")
        worker.fail()
        await harness.events.until(.restartScheduled(after: .seconds(1)), "worker")
        await harness.clock.waitForSleepers(atLeast: 1)
        harness.clock.advance(by: .seconds(1))
        await harness.events.until(.started, "worker")
        // One past it: crash-looping, reported once, retried at the cap again and again.
        for round in 0..<3 {
            worker.fail()
            let seen = await harness.events.until(.restartScheduled(after: .seconds(8)), "worker")
            #expect(seen.contains { $0.kind == .crashLooping(maxRestarts: 2, within: .seconds(300), retryEvery: .seconds(8)) } == (round == 0))
            let info = try #require(await harness.supervisor.whichChildren().first { $0.id == "worker" })
            #expect(info.state == .restarting && info.crashLooping && info.nextRestart == .seconds(8))
            await harness.clock.waitForSleepers(atLeast: 1)
            harness.clock.advance(by: .seconds(8))
            await harness.events.until(.started, "worker")
        }
        #expect(bystander.running == 1, "a crash loop never touches a one-for-one sibling")
        try await Self.stableRunEndsTheLoop(&harness, worker)
    }

    /// The fault clears: after a stable run the worker is no longer crash-looping, and a later
    /// failure starts the backoff over (restarted at once); then the harness stops.
    static func stableRunEndsTheLoop(_ harness: inout Harness, _ worker: ChildControl) async throws {
        harness.clock.advance(by: .seconds(60))
        let info = try #require(await harness.supervisor.whichChildren().first { $0.id == "worker" })
        #expect(info.state == .running && !info.crashLooping)
        worker.fail()
        await harness.events.until(.restartScheduled(after: .zero), "worker")
        _ = await harness.stop()
    }

    @Test("markCrashLooping: past the intensity the child is labelled crash-looping once, and its waits keep growing along the backoff to the cap, never a jump; a stable run ends the label")
    func markCrashLooping() async throws {
        let worker = ChildControl("worker")
        let backoff = BackoffPolicy(initial: .seconds(1), multiplier: 2, maximum: .seconds(8), jitter: 0, resetAfter: .seconds(60),
                                    immediateFirstRestart: true)
        var harness = try Harness(
            options: .init(intensity: RestartIntensity(maxRestarts: 2, within: .seconds(300)), backoff: backoff,
                           intensityPolicy: .markCrashLooping),
            children: [worker.spec()])
        await harness.waitForStarts(["worker"])
        // 0 (at once), 1, 2, 4, 8, 8: the third restart is one past the intensity, and waits 2 s
        // as the backoff says (retryAtCap would wait the cap, 8 s).
        let waits: [Duration] = [.zero, .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)]
        for (restart, wait) in waits.enumerated() {
            worker.fail()
            let seen = await harness.events.until(.restartScheduled(after: wait), "worker")
            let labelled = seen.contains { $0.kind == .crashLooping(maxRestarts: 2, within: .seconds(300), retryEvery: .seconds(2)) }
            #expect(labelled == (restart == 2), "labelled once, at the restart past the intensity")
            let info = try #require(await harness.supervisor.whichChildren().first { $0.id == "worker" })
            #expect(info.crashLooping == (restart >= 2))
            if wait > .zero {
                await harness.clock.waitForSleepers(atLeast: 1)
                harness.clock.advance(by: wait)
            }
            await harness.events.until(.started, "worker")
        }
        try await Self.stableRunEndsTheLoop(&harness, worker)
    }

    @Test("retryAtCap and markCrashLooping without a backoff are refused: they would restart in a hot loop")
    func retryAtCapNeedsBackoff() {
        #expect(throws: SupervisorError.self) {
            try Supervisor(name: "s", options: .init(intensityPolicy: .retryAtCap), clock: ManualClock())
        }
        #expect(throws: SupervisorError.self) {
            try Supervisor(name: "s", options: .init(intensityPolicy: .markCrashLooping), clock: ManualClock())
        }
    }

    @Test("Failures spread wider than the period never exceed the intensity")
    func slidingWindowOnTheClock() async throws {
        let worker = ChildControl("worker")
        var harness = try Harness(options: .init(intensity: RestartIntensity(maxRestarts: 1, within: .seconds(5))),
                                  children: [worker.spec()])
        await harness.waitForStarts(["worker"])
        for _ in 0..<5 {
            worker.fail()
            await harness.events.until(.started, "worker")
            harness.clock.advance(by: .seconds(5))
        }
        #expect(harness.starts(["worker"]) == [6])
        #expect(try await harness.stop().get() == ())
    }

    @Test("A failure escalates through two levels of supervisors")
    func twoLevels() async throws {
        let events = SupervisionEvents()
        let clock = ManualClock()
        let leaf = ChildControl("leaf")
        // The middle supervisor gives up on the first restart; the root allows one restart of it.
        let middle = try Supervisor(name: "middle", parentPath: "root",
                                    options: .init(intensity: RestartIntensity(maxRestarts: 0, within: .seconds(5))),
                                    children: [leaf.spec()], clock: clock, events: events, logger: quietLogger)
        let root = try Supervisor(name: "root",
                                  options: .init(intensity: RestartIntensity(maxRestarts: 1, within: .seconds(5))),
                                  children: [ChildSpec(id: "middle", shutdown: .infinity, kind: .supervisor) {
                                      try await middle.run()
                                  }],
                                  clock: clock, events: events, logger: quietLogger)
        var watcher = EventWatcher(events)
        let rootTask = Task { try await root.run() }
        await watcher.until(.started, "leaf")
        leaf.fail()
        // The middle gives up, fails, and the root restarts it, which starts the leaf anew.
        let first = await watcher.until(.started, "leaf")
        #expect(first.map { "\($0.supervisor)|\($0.short)" } == [
            "root/middle|leaf:failed", "root/middle|leaf:gaveUp", "root/middle|root/middle:escalated",
            "root|middle:failed", "root|middle:restarting", "root|middle:started", "root/middle|leaf:started",
        ])
        leaf.fail()
        await watcher.until { $0.supervisor == "root" && $0.kind == .escalated }
        let error = try #require(await rootTask.result.failure as? SupervisorError)
        #expect(error.code == .restartIntensityExceeded)
        #expect(error.supervisor == "root")
        #expect(error.child == "middle")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
