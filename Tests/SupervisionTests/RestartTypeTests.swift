import Supervision
import SupervisionTesting
import Testing

@Suite("Restart types on normal exit and on failure")
struct RestartTypeTests {
    let options = SupervisorOptions(intensity: RestartIntensity(maxRestarts: 10, within: .seconds(5)))

    func run(_ restart: RestartType, failing: Bool) async throws -> (starts: Int, children: [ChildInfo]) {
        let child = ChildControl("c")
        let other = ChildControl("other")
        var harness = try Harness(options: options, children: [child.spec(restart: restart), other.spec()])
        await harness.waitForStarts(["c", "other"])
        if failing { child.fail() } else { child.exit() }
        await harness.events.until(failing ? .failed("boom") : .exitedNormally, "c")
        if restart == .permanent || (restart == .transient && failing) {
            await harness.events.until(.started, "c")
        }
        let children = await harness.supervisor.whichChildren()
        _ = await harness.stop()
        return (harness.starts(["c"])[0], children)
    }

    @Test("A permanent child is restarted after a normal exit")
    func permanentNormal() async throws {
        let result = try await run(.permanent, failing: false)
        #expect(result.starts == 2)
        #expect(result.children.first { $0.id == "c" }?.state == .running)
    }

    @Test("A permanent child is restarted after a failure, which is recorded")
    func permanentFailure() async throws {
        let result = try await run(.permanent, failing: true)
        #expect(result.starts == 2)
        let info = try #require(result.children.first { $0.id == "c" })
        #expect(info.restarts == 1)
        #expect(info.lastFailure == "boom")
    }

    @Test("A transient child stays stopped after a normal exit, its spec kept")
    func transientNormal() async throws {
        let result = try await run(.transient, failing: false)
        #expect(result.starts == 1)
        #expect(result.children.first { $0.id == "c" }?.state == .stopped)
    }

    @Test("A transient child is restarted after a failure")
    func transientFailure() async throws {
        #expect(try await run(.transient, failing: true).starts == 2)
    }

    @Test("A temporary child is never restarted and is removed", arguments: [false, true])
    func temporary(failing: Bool) async throws {
        let result = try await run(.temporary, failing: failing)
        #expect(result.starts == 1)
        #expect(result.children.map(\.id) == ["other"])
    }
}
