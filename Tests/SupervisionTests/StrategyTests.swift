import Supervision
import SupervisionTesting
import Testing

@Suite("Strategies with three children")
struct StrategyTests {
    let intensity = RestartIntensity(maxRestarts: 10, within: .seconds(5))

    @Test("one-for-one restarts only the child that failed")
    func oneForOne() async throws {
        let children = ["c1", "c2", "c3"].map { ChildControl($0) }
        var harness = try Harness(options: .init(strategy: .oneForOne, intensity: intensity),
                                  children: children.map { $0.spec() })
        await harness.waitForStarts(["c1", "c2", "c3"])
        children[1].fail()
        let seen = await harness.events.until(.started, "c2")
        #expect(seen.map(\.short) == ["c2:failed", "c2:restarting", "c2:started"])
        #expect(harness.starts(["c1", "c2", "c3"]) == [1, 2, 1])
        _ = await harness.stop()
    }

    @Test("one-for-all stops the others in reverse start order, then starts all in order")
    func oneForAll() async throws {
        let children = ["c1", "c2", "c3"].map { ChildControl($0) }
        var harness = try Harness(options: .init(strategy: .oneForAll, intensity: intensity),
                                  children: children.map { $0.spec() })
        await harness.waitForStarts(["c1", "c2", "c3"])
        children[1].fail()
        let seen = await harness.events.until(.started, "c3")
        #expect(seen.map(\.short) == [
            "c2:failed", "c3:stopped", "c1:stopped",
            "c1:restarting", "c2:restarting", "c3:restarting",
            "c1:started", "c2:started", "c3:started",
        ])
        #expect(harness.starts(["c1", "c2", "c3"]) == [2, 2, 2])
        _ = await harness.stop()
    }

    @Test("rest-for-one restarts the failed child and those started after it")
    func restForOne() async throws {
        let children = ["c1", "c2", "c3"].map { ChildControl($0) }
        var harness = try Harness(options: .init(strategy: .restForOne, intensity: intensity),
                                  children: children.map { $0.spec() })
        await harness.waitForStarts(["c1", "c2", "c3"])
        children[1].fail()
        let seen = await harness.events.until(.started, "c3")
        #expect(seen.map(\.short) == [
            "c2:failed", "c3:stopped", "c2:restarting", "c3:restarting", "c2:started", "c3:started",
        ])
        #expect(harness.starts(["c1", "c2", "c3"]) == [1, 2, 2])
        _ = await harness.stop()
    }

    @Test("rest-for-one stops a temporary child started after the failed one and drops it; the others restart")
    func restForOneTemporarySibling() async throws {
        let children = ["c1", "c2", "c3"].map { ChildControl($0) }
        var harness = try Harness(options: .init(strategy: .restForOne, intensity: intensity),
                                  children: [children[0].spec(), children[1].spec(restart: .temporary), children[2].spec()])
        await harness.waitForStarts(["c1", "c2", "c3"])
        children[0].fail()
        let seen = await harness.events.until(.started, "c3")
        #expect(seen.map(\.short) == [
            "c1:failed", "c3:stopped", "c2:stopped", "c1:restarting", "c3:restarting", "c1:started", "c3:started",
        ])
        #expect(await harness.supervisor.whichChildren().map(\.id) == ["c1", "c3"])
        _ = await harness.stop()
    }

    @Test("rest-for-one on the last child restarts only that child")
    func restForOneLast() async throws {
        let children = ["c1", "c2", "c3"].map { ChildControl($0) }
        var harness = try Harness(options: .init(strategy: .restForOne, intensity: intensity),
                                  children: children.map { $0.spec() })
        await harness.waitForStarts(["c1", "c2", "c3"])
        children[2].fail()
        await harness.events.until(.started, "c3")
        #expect(harness.starts(["c1", "c2", "c3"]) == [1, 1, 2])
        _ = await harness.stop()
    }
}
