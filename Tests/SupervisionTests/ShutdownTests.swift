import Supervision
import SupervisionTesting
import Testing

@Suite("Shutdown: reverse start order, each child within its own timeout")
struct ShutdownTests {
    @Test("Cancelling run() stops the children in reverse start order and returns normally")
    func reverseOrder() async throws {
        let children = ["c1", "c2", "c3", "c4"].map { ChildControl($0) }
        var harness = try Harness(options: .init(), children: children.map { $0.spec() })
        await harness.waitForStarts(["c1", "c2", "c3", "c4"])
        harness.runTask.cancel()
        let seen = await harness.events.until(.shutDown, nil)
        #expect(seen.map(\.short) == ["c4:stopped", "c3:stopped", "c2:stopped", "c1:stopped", "sup:shutDown"])
        #expect(try await harness.runTask.result.get() == ())
        #expect(children.allSatisfy { $0.running == 0 })
    }

    @Test("A child that ignores cancellation is waited for up to its timeout, then abandoned")
    func abandon() async throws {
        let stubborn = ChildControl("stubborn", ignoresCancellation: true)
        let polite = ChildControl("polite")
        var harness = try Harness(options: .init(),
                                  children: [polite.spec(), stubborn.spec(shutdown: .timeout(.seconds(3)))])
        await harness.waitForStarts(["polite", "stubborn"])
        await harness.supervisor.shutdown()
        await harness.clock.waitForSleepers(atLeast: 1)
        harness.clock.advance(by: .milliseconds(2999))
        #expect(polite.running == 1, "the next child waits until the stubborn one is dealt with")
        harness.clock.advance(by: .milliseconds(1))
        let seen = await harness.events.until(.shutDown, nil)
        #expect(seen.map(\.short) == ["stubborn:abandoned", "stubborn:stopped", "polite:stopped", "sup:shutDown"])
        #expect(stubborn.running == 1, "an abandoned task is not killed; it is reported")
        stubborn.exit()
    }

    @Test("Concurrent shutdown cancels every child at once and waits on one deadline per timeout")
    func concurrentShutdown() async throws {
        let stubborn = ChildControl("stubborn", ignoresCancellation: true)
        let politeChildren = ["p1", "p2", "p3"].map { ChildControl($0) }
        var harness = try Harness(options: .init(shutdownOrder: .concurrent),
                                  children: politeChildren.map { $0.spec(shutdown: .timeout(.seconds(3))) }
                                      + [stubborn.spec(shutdown: .timeout(.seconds(3)))])
        await harness.waitForStarts(["p1", "p2", "p3", "stubborn"])
        harness.runTask.cancel()
        for child in politeChildren { await child.waitUntilIdle() }
        await harness.clock.waitForSleepers(atLeast: 1)
        #expect(harness.clock.sleeperCount == 1, "one timer for the four children")
        harness.clock.advance(by: .seconds(3))
        let seen = await harness.events.until(.shutDown, nil)
        #expect(seen.map(\.short) == ["stubborn:abandoned", "stubborn:stopped", "p3:stopped", "p2:stopped",
                                      "p1:stopped", "sup:shutDown"])
        stubborn.exit()
    }

    @Test("brutalKill does not wait at all")
    func brutalKill() async throws {
        let stubborn = ChildControl("stubborn", ignoresCancellation: true)
        var harness = try Harness(options: .init(), children: [stubborn.spec(shutdown: .brutalKill)])
        await harness.waitForStarts(["stubborn"])
        let seen = await {
            harness.runTask.cancel()
            return await harness.events.until(.shutDown, nil)
        }()
        #expect(seen.map(\.short) == ["stubborn:stopped", "sup:shutDown"])
        #expect(harness.clock.sleeperCount == 0)
        stubborn.exit()
    }

    @Test("infinity waits for as long as the child takes")
    func infinity() async throws {
        let slow = ChildControl("slow", ignoresCancellation: true)
        var harness = try Harness(options: .init(), children: [slow.spec(shutdown: .infinity)])
        await harness.waitForStarts(["slow"])
        harness.runTask.cancel()
        harness.clock.advance(by: .seconds(3600))
        #expect(slow.running == 1)
        slow.exit()
        let seen = await harness.events.until(.shutDown, nil)
        #expect(seen.map(\.short) == ["slow:stopped", "sup:shutDown"])
    }

    @Test("run() may be called again after it ended, starting the static children anew")
    func rerun() async throws {
        let child = ChildControl("c")
        let supervisor = try Supervisor(name: "s", children: [child.spec()], clock: ManualClock(), logger: quietLogger)
        var watcher = EventWatcher(supervisor.events)
        for _ in 0..<2 {
            let task = Task { try await supervisor.run() }
            await watcher.until(.started, "c")
            task.cancel()
            try await task.value
        }
        #expect(watcher.starts["c"] == 2)
    }

    @Test("A second concurrent run() is refused")
    func concurrentRun() async throws {
        let child = ChildControl("c")
        var harness = try Harness(options: .init(), children: [child.spec()])
        await harness.waitForStarts(["c"])
        let error = await #expect(throws: SupervisorError.self) { try await harness.supervisor.run() }
        #expect(error?.code == .alreadyRunning)
        _ = await harness.stop()
    }
}
