import PropertyBased
import Supervision
import PropertyBased
import SupervisionTesting
import Testing

@Suite("Property: a shut-down supervisor leaves no child task running")
struct NoLeftoverTasksTests {
    @Test("Random trees of children, random failures and exits, then shutdown")
    func noLeftovers() async throws {
        await propertyCheck(count: 40, input: Gen<Strategy>.case, Gen<RestartType>.case.array(of: 1...8),
                            Gen.int(in: 0...2).array(of: 8...8), Gen.int(in: 0...10), Gen.int(in: 0...1_000_000)) {
            strategy, restartTypes, shutdownKinds, actions, seed in
            do {
                try await check(strategy: strategy, restartTypes: restartTypes, shutdownKinds: shutdownKinds,
                                actions: actions, seed: seed)
            } catch {
                Issue.record(error)
            }
        }
    }

    func check(strategy: Strategy, restartTypes: [RestartType], shutdownKinds: [Int], actions: Int, seed: Int) async throws {
        var random = SplitMix(seed: UInt64(seed))
        let shutdowns: [Shutdown] = [.brutalKill, .timeout(.seconds(1)), .infinity]
        let controls = restartTypes.indices.map { ChildControl("c\($0)") }
        let specs = controls.indices.map { index in
            controls[index].spec(restart: restartTypes[index], shutdown: shutdowns[shutdownKinds[index]])
        }
        var harness = try Harness(options: .init(strategy: strategy,
                                                 intensity: RestartIntensity(maxRestarts: 1000, within: .seconds(1))),
                                  children: specs)
        await harness.waitForStarts(controls.map(\.id))
        for _ in 0..<actions {
            let running = await harness.supervisor.whichChildren().filter { $0.state == .running }
            guard let target = running.randomElement(using: &random),
                  let control = controls.first(where: { $0.id == target.id }) else { break }
            if Bool.random(using: &random) { control.fail() } else { control.exit() }
            let restarts = switch target.restartType {
            case .permanent: true
            case .transient, .temporary: false
            }
            if restarts {
                await harness.events.until(.started, target.id)
            } else {
                await harness.events.until { $0.child == target.id && $0.kind != .started }
            }
        }
        harness.runTask.cancel()
        await harness.events.until(.shutDown, nil)
        _ = await harness.runTask.result
        // Every child's run has ended: honouring cancellation, none was abandoned.
        for control in controls {
            await control.waitUntilIdle()
        }
        #expect(controls.allSatisfy { $0.running == 0 })
        #expect(await harness.supervisor.countChildren().active == 0)
    }
}
