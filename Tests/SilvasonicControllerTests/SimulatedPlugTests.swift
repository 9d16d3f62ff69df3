import Foundation
import Simulation
import Testing

@Suite("The benchmarks' plug: one microphone more on a running simulated station", .timeLimit(.minutes(1)))
struct SimulatedPlugTests {
    @Test("100 running, one more plugged: its recorder's start returns")
    func plugOneMore() async throws {
        var options = SimulationOptions(devices: 100, scenario: .events)
        options.reconcileInterval = .seconds(3600)
        let workspace = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let station = SimulatedStation(options: options, backends: InMemorySimulationBackends(options: options, workspace: workspace))
        let tree = Task { try await station.run() }
        await station.plug(0..<100)
        await station.engine.started(atLeast: 100)
        await station.plugAndAwaitStart(100)
        #expect(station.engine.startCount == 101)
        tree.cancel()
        _ = await tree.result
    }
}
