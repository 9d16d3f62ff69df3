import Supervision
import SupervisionTesting
import Testing

@Suite("Dynamic children: start, terminate, restart, delete while running")
struct DynamicChildrenTests {
    @Test("A child started at run time runs, is supervised, and is stopped first on shutdown")
    func startChild() async throws {
        let first = ChildControl("first")
        let added = ChildControl("added")
        var harness = try Harness(options: .init(), children: [first.spec()])
        await harness.waitForStarts(["first"])
        try await harness.supervisor.startChild(added.spec())
        await harness.events.until(.started, "added")
        added.fail()
        await harness.events.until(.started, "added")
        harness.runTask.cancel()
        let seen = await harness.events.until(.shutDown, nil)
        #expect(seen.map(\.short) == ["added:stopped", "first:stopped", "sup:shutDown"])
    }

    @Test("Terminate keeps the spec, restart runs it again, delete removes it")
    func terminateRestartDelete() async throws {
        let child = ChildControl("c")
        var harness = try Harness(options: .init(), children: [child.spec()])
        await harness.waitForStarts(["c"])
        let supervisor = harness.supervisor

        let deleteRunning = await #expect(throws: SupervisorError.self) { try await supervisor.deleteChild("c") }
        #expect(deleteRunning?.code == .childRunning)
        try await supervisor.terminateChild("c")
        #expect(await supervisor.whichChildren().map(\.state) == [.stopped])
        #expect(await supervisor.countChildren() == ChildCounts(specs: 1, active: 0, supervisors: 0, workers: 1))

        try await supervisor.restartChild("c")
        await harness.events.until(.started, "c")
        let restartRunning = await #expect(throws: SupervisorError.self) { try await supervisor.restartChild("c") }
        #expect(restartRunning?.code == .childAlreadyRunning)

        try await supervisor.terminateChild("c")
        try await supervisor.deleteChild("c")
        #expect(await supervisor.whichChildren().isEmpty)
        let missing = await #expect(throws: SupervisorError.self) { try await supervisor.terminateChild("c") }
        #expect(missing?.code == .noSuchChild)
        _ = await harness.stop()
    }

    @Test("Terminating a temporary child removes it")
    func terminateTemporary() async throws {
        let child = ChildControl("t")
        var harness = try Harness(options: .init(), children: [])
        try await harness.supervisor.startChild(child.spec(restart: .temporary))
        await harness.events.until(.started, "t")
        try await harness.supervisor.terminateChild("t")
        #expect(await harness.supervisor.whichChildren().isEmpty)
        _ = await harness.stop()
    }

    @Test("Many temporary children come and go: the rest keep their start order, and a new child comes last")
    func manyRemovals() async throws {
        let children = (0..<60).map { ChildControl("t\($0)") }
        var harness = try Harness(options: .init(), children: [])
        for child in children { try await harness.supervisor.startChild(child.spec(restart: .temporary)) }
        await harness.waitForStarts(children.map(\.id))
        // 45 of the 60 end (every one but each fourth): more than half of the records go, and
        // the supervisor drops them from its storage.
        let ending = children.indices.filter { $0 % 4 != 0 }
        for index in ending {
            children[index].exit()
            await harness.events.until(.exitedNormally, children[index].id)
        }
        let kept = children.indices.filter { $0 % 4 == 0 }.map { children[$0].id }
        #expect(await harness.supervisor.whichChildren().map(\.id) == kept)
        #expect(await harness.supervisor.countChildren() == ChildCounts(specs: 15, active: 15, supervisors: 0, workers: 15))

        let late = ChildControl("late")
        try await harness.supervisor.startChild(late.spec())
        await harness.events.until(.started, "late")
        try await harness.supervisor.terminateChild("t4")
        await harness.events.until(.stopped, "t4")
        #expect(await harness.supervisor.whichChildren().map(\.id) == kept.filter { $0 != "t4" } + ["late"])
        // Reused ids are new children at the end of the order.
        try await harness.supervisor.startChild(ChildControl("t1").spec())
        harness.runTask.cancel()
        let seen = await harness.events.until(.shutDown, nil)
        let stopOrder = seen.filter { $0.kind == .stopped }.compactMap(\.child)
        #expect(stopOrder == (kept.filter { $0 != "t4" } + ["late", "t1"]).reversed())
    }

    @Test("A duplicate id is refused at run time as it is up front")
    func duplicate() async throws {
        let child = ChildControl("c")
        var harness = try Harness(options: .init(), children: [child.spec()])
        await harness.waitForStarts(["c"])
        let error = await #expect(throws: SupervisorError.self) {
            try await harness.supervisor.startChild(ChildControl("c").spec())
        }
        #expect(error?.code == .duplicateChildID)
        _ = await harness.stop()
    }

    @Test("A child added before run() starts when run() does")
    func beforeRun() async throws {
        let supervisor = try Supervisor(name: "early", clock: ManualClock(), logger: quietLogger)
        var watcher = EventWatcher(supervisor.events)
        let add = Task { try await supervisor.startChild(ChildControl("c").spec()) }
        let run = Task { try await supervisor.run() }
        try await add.value
        await watcher.until(.started, "c")
        run.cancel()
        try await run.value
    }

    @Test("Operations on a supervisor that has given up are refused")
    func afterEnd() async throws {
        let child = ChildControl("c")
        var harness = try Harness(options: .init(intensity: RestartIntensity(maxRestarts: 0, within: .seconds(1))),
                                  children: [child.spec()])
        await harness.waitForStarts(["c"])
        child.fail()
        await harness.events.until(.escalated, nil)
        _ = await harness.runTask.result
        let error = await #expect(throws: SupervisorError.self) {
            try await harness.supervisor.terminateChild("c")
        }
        #expect(error?.code == .notRunning)
    }

    @Test("Concurrent starts and terminates of 200 children leave consistent counts")
    func concurrent() async throws {
        var harness = try Harness(options: .init(), children: [])
        let supervisor = harness.supervisor
        let controls = (0..<200).map { ChildControl("c\($0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for control in controls {
                group.addTask { try await supervisor.startChild(control.spec()) }
            }
            try await group.waitForAll()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for control in controls where Int(control.id.dropFirst())! % 2 == 0 {
                group.addTask { try await supervisor.terminateChild(control.id) }
            }
            try await group.waitForAll()
        }
        #expect(await supervisor.countChildren() == ChildCounts(specs: 200, active: 100, supervisors: 0, workers: 200))
        let infos = await supervisor.whichChildren()
        #expect(infos.filter { $0.state == .running }.count == 100)
        harness.runTask.cancel()
        await harness.events.until(.shutDown, nil)
        #expect(controls.allSatisfy { $0.running == 0 })
    }
}

@Suite("Many children of one template")
struct ChildTemplateTests {
    @Test("Children made from one template get their own argument and are supervised alike")
    func template() async throws {
        let controls = (0..<5).map { ChildControl("device-\($0)") }
        let template = ChildTemplate<Int>(restart: .transient) { index in try await controls[index].run() }
        var harness = try Harness(options: .init(shutdownOrder: .concurrent), children: [])
        for index in controls.indices {
            try await harness.supervisor.startChild(from: template, id: "device-\(index)", argument: index)
        }
        await harness.waitForStarts(controls.map(\.id))
        controls[3].fail()
        await harness.events.until(.started, "device-3")
        controls[1].exit()
        await harness.events.until(.exitedNormally, "device-1")
        let states = await harness.supervisor.whichChildren().map { "\($0.id):\($0.state)" }
        #expect(states == ["device-0:running", "device-1:stopped", "device-2:running", "device-3:running",
                           "device-4:running"])
        _ = await harness.stop()
    }

    @Test("Introspection: a running child's uptime on the supervisor's clock; none when stopped")
    func uptime() async throws {
        let child = ChildControl("c")
        var harness = try Harness(options: .init(), children: [child.spec()])
        await harness.waitForStarts(["c"])
        harness.clock.advance(by: .seconds(42))
        #expect(await harness.supervisor.whichChildren().map(\.uptime) == [.seconds(42)])
        try await harness.supervisor.terminateChild("c")
        #expect(await harness.supervisor.whichChildren().map(\.uptime) == [nil])
        _ = await harness.stop()
    }
}
