import Supervision
import SupervisionTesting
import Testing

@Suite("Property: a shut-down supervisor leaves no child task running")
struct NoLeftoverTasksTests {
    @Test("Random trees of children, random failures and exits, then shutdown", arguments: 0..<40)
    func noLeftovers(seed: Int) async throws {
        var random = SplitMix(seed: UInt64(seed))
        let strategy = Strategy.allCases.randomElement(using: &random)!
        let count = Int.random(in: 1...8, using: &random)
        let controls = (0..<count).map { ChildControl("c\($0)") }
        let specs = controls.map { control in
            control.spec(restart: RestartType.allCases.randomElement(using: &random)!,
                         shutdown: [.brutalKill, .timeout(.seconds(1)), .infinity].randomElement(using: &random)!)
        }
        var harness = try Harness(options: .init(strategy: strategy,
                                                 intensity: RestartIntensity(maxRestarts: 1000, within: .seconds(1))),
                                  children: specs)
        await harness.waitForStarts(controls.map(\.id))
        for _ in 0..<Int.random(in: 0...10, using: &random) {
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
