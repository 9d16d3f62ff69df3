import Supervision
import SupervisionTesting
import Testing

@Suite("Significant children and auto-shutdown")
struct SignificantChildrenTests {
    @Test("anySignificant: one significant child's normal end shuts the supervisor down")
    func anySignificant() async throws {
        let job = ChildControl("job")
        let helper = ChildControl("helper")
        var harness = try Harness(options: .init(autoShutdown: .anySignificant),
                                  children: [helper.spec(), job.spec(restart: .transient, significant: true)])
        await harness.waitForStarts(["helper", "job"])
        job.exit()
        let seen = await harness.events.until(.shutDown, nil)
        #expect(seen.map(\.short) == ["job:exited", "helper:stopped", "sup:shutDown"])
        #expect(try await harness.runTask.result.get() == ())
    }

    @Test("A significant transient child that fails is restarted, not a reason to shut down")
    func failureRestarts() async throws {
        let job = ChildControl("job")
        var harness = try Harness(options: .init(autoShutdown: .anySignificant),
                                  children: [job.spec(restart: .transient, significant: true)])
        await harness.waitForStarts(["job"])
        job.fail()
        await harness.events.until(.started, "job")
        _ = await harness.stop()
    }

    @Test("allSignificant: the supervisor ends only when the last significant child has ended")
    func allSignificant() async throws {
        let a = ChildControl("a")
        let b = ChildControl("b")
        var harness = try Harness(options: .init(autoShutdown: .allSignificant),
                                  children: [a.spec(restart: .temporary, significant: true),
                                             b.spec(restart: .temporary, significant: true)])
        await harness.waitForStarts(["a", "b"])
        a.exit()
        await harness.events.until(.exitedNormally, "a")
        #expect(await harness.supervisor.countChildren().active == 1)
        b.fail()
        await harness.events.until(.shutDown, nil)
        #expect(try await harness.runTask.result.get() == ())
    }
}
